using System.IO.Pipelines;
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
/// ends (the reason is logged), when kicked, or when the source it is bound to dies.
/// </summary>
public sealed class RtmpConnectionActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Socket _socket;
    private readonly ClientStats _client;
    private readonly ServerStats _stats;
    private readonly RtmpServerSession _session;
    private readonly NetworkStream _stream;

    public static Props Props(string id, Socket socket, IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks) =>
        Akka.Actor.Props.Create(() => new RtmpConnectionActor(id, socket, registry, settings, stats, hooks))
            .WithMailbox(ConnectionMailbox.Id);

    public RtmpConnectionActor(string id, Socket socket, IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks)
    {
        _socket = socket;
        _stats = stats;
        socket.NoDelay = true;
        _client = new ClientStats(id, socket.RemoteEndPoint?.ToString() ?? "?") { Connection = Self };
        _stream = new NetworkStream(socket, ownsSocket: true);
        _session = new RtmpServerSession(
            // Zero-byte reads: a connection waits for data without holding a buffer, so an idle reader
            // (every player) costs no 64 KB read buffer; one is rented only while bytes are there.
            PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true)),
            _client, Self, registry, settings, stats, hooks, _log, socket);

        Receive<SessionEnded>(e =>
        {
            _log.Info("client {0} ({1}) closed: {2}", _client.Id, _client.RemoteAddress, e.Reason);
            Context.Stop(Self);
        });
        Receive<Kick>(k => _session.Close("kicked: " + k.Reason));
        Receive<WatchSource>(w => Context.Watch(w.Source));
        Receive<Terminated>(_ => _session.Close("the stream's source stopped"));
    }

    protected override void PreStart()
    {
        _stats.Clients[_client.Id] = _client;
        var self = Self;
        _session.RunAsync().ContinueWith(
            t => new SessionEnded(t.IsFaulted ? "internal error: " + t.Exception!.GetBaseException().Message : t.Result),
            TaskScheduler.Default).PipeTo(self);
    }

    protected override void PostStop()
    {
        _stats.Clients.TryRemove(_client.Id, out _);
        _session.Close("connection actor stopped");
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _stream.Dispose();
    }
}
