using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Hooks;
using Srs.Actors.Rtmp;
using Srs.Actors.Stats;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Connections;

/// <summary>
/// One RTMP client. Owns the socket and the session loop that runs on it; stops when the loop
/// ends (the session tells it why, and that is logged), when kicked, or when the source it is
/// bound to dies.
/// </summary>
/// <remarks>
/// A node holds thousands of these, so the actor is kept small: its messages are matched in one
/// switch (<c>Receive&lt;T&gt;</c> handlers are built per actor, ~0.5 KB each time), it logs
/// through its manager's adapter, and the session reads and writes the socket directly
/// (<see cref="SocketReader"/>, <see cref="SocketWriter"/>).
/// </remarks>
public sealed class RtmpConnectionActor : UntypedActor
{
    private readonly ILoggingAdapter _log;
    private readonly Socket _socket;
    private readonly ClientStats _client;
    private readonly ServerStats _stats;
    private readonly RtmpServerSession _session;

    public static Props Props(string id, Socket socket, IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks, ILoggingAdapter log) =>
        Akka.Actor.Props.Create(() => new RtmpConnectionActor(id, socket, registry, settings, stats, hooks, log))
            .WithMailbox(ConnectionMailbox.Id);

    public RtmpConnectionActor(string id, Socket socket, IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks, ILoggingAdapter log)
    {
        _log = log;
        _socket = socket;
        _stats = stats;
        socket.NoDelay = true;
        _client = new ClientStats(id, socket.RemoteEndPoint?.ToString() ?? "?") { Connection = Self };
        _session = new RtmpServerSession(new SocketReader(socket), new SocketWriter(socket),
            _client, Self, registry, settings, stats, hooks, log, socket);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case SessionEnded e:
                _log.Info("client {0} ({1}) closed: {2}", _client.Id, _client.RemoteAddress, e.Reason);
                Context.Stop(Self);
                break;
            case Kick k:
                _session.Close("kicked: " + k.Reason);
                break;
            case WatchSource w:
                Context.Watch(w.Source);
                break;
            case Terminated:
                _session.Close("the stream's source stopped");
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PreStart()
    {
        _stats.Clients[_client.Id] = _client;
        _ = _session.RunAsync(); // tells this actor SessionEnded when it ends, whatever ends it
    }

    protected override void PostStop()
    {
        _stats.Clients.TryRemove(_client.Id, out _);
        _session.Close("connection actor stopped");
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}
