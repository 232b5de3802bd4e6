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
/// ends (the session tells it why, and that is logged), when kicked, or when the source it
/// publishes to stops.
/// </summary>
/// <remarks>
/// A node holds thousands of these, so the actor is kept small. Every connection is made from the
/// manager's one <see cref="Akka.Actor.Props"/> and gets its socket in <see cref="Open"/>, so no
/// props, deploy or argument array is kept per connection; its messages are matched in one switch
/// (<c>Receive&lt;T&gt;</c> handlers are built per actor, ~0.5 KB each time); it logs through the
/// manager's adapter; and the session reads and writes the socket directly
/// (<see cref="SocketReader"/>, <see cref="SocketWriter"/>).
/// </remarks>
public sealed class RtmpConnectionActor(RtmpConnectionActor.Services services) : UntypedActor
{
    /// <summary>What every connection of a node shares.</summary>
    public sealed record Services(IActorRef Registry, SrsSettings Settings, ServerStats Stats, HttpHooks Hooks, ILoggingAdapter Log);

    /// <summary>Manager to a connection it has just made: the client's id and socket. Always its first message.</summary>
    public sealed record Open(string Id, Socket Socket);

    /// <summary>To itself, once, <c>rtmp.handshake-timeout</c> after opening; dropped quietly if the actor has stopped by then.</summary>
    private sealed record HandshakeDeadline : IDeadLetterSuppression
    {
        public static readonly HandshakeDeadline Instance = new();
    }

    private Socket? _socket;
    private ClientStats? _client;
    private RtmpServerSession? _session;

    public static Props Props(Services services) =>
        Akka.Actor.Props.Create(() => new RtmpConnectionActor(services)).WithMailbox(ConnectionMailbox.Id);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Open open:
                Start(open);
                break;
            case HandshakeDeadline:
                _session?.CloseIfNotStreaming();
                break;
            case SessionEnded e:
                services.Log.Info("client {0} ({1}) closed: {2}", _client!.Id, _client.RemoteAddress, e.Reason);
                Context.Stop(Self);
                break;
            case Kick when _session is null:
                Context.Stop(Self);
                break;
            case Kick k:
                _session.Close("kicked: " + k.Reason);
                break;
            case AskToReconnect r when _session?.AskToReconnect(r.Reason) == true:
                services.Log.Info("client {0} ({1}) asked to reconnect (NetConnection.Connect.ReconnectRequest)", _client!.Id, _client.RemoteAddress);
                break;
            case AskToReconnect:
                break;
            case SourceStopped:
                _session?.Close("the stream's source stopped");
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Start(Open open)
    {
        var socket = _socket = open.Socket;
        // A Unix socket is the other process of an upgrade in place pulling a stream (no TCP options).
        var local = socket.AddressFamily == AddressFamily.Unix;
        if (!local) socket.NoDelay = true;
        _client = new ClientStats(open.Id, local ? ClientStats.UpgradePeerAddress : socket.RemoteEndPoint?.ToString() ?? "?") { Connection = Self };
        _session = new RtmpServerSession(new SocketReader(socket), new SocketWriter(socket),
            _client, Self, services.Registry, services.Settings, services.Stats, services.Hooks, services.Log, socket);
        services.Stats.Clients[_client.Id] = _client;
        _ = _session.RunAsync(); // tells this actor SessionEnded when it ends, whatever ends it
        // One scheduled message, gone once delivered: no timer stays with a connection that plays.
        // Nothing to cancel at stop (AK1004): it then goes to dead letters, unlogged
        // (IDeadLetterSuppression), where IWithTimers would cost every connection a timer scheduler.
#pragma warning disable AK1004
        Context.System.Scheduler.ScheduleTellOnce(services.Settings.Limits.HandshakeTimeout, Self, HandshakeDeadline.Instance, ActorRefs.NoSender);
#pragma warning restore AK1004
    }

    protected override void PostStop()
    {
        Context.Parent.Tell(ConnectionEnded.Instance);
        if (_client is not null) services.Stats.Clients.TryRemove(_client.Id, out _);
        _session?.Close("connection actor stopped");
        if (_socket is null) return;
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}
