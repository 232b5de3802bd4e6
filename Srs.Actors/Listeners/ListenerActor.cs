using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Listeners;

/// <summary>
/// Accepts clients on one bound listening socket and hands each to the connection manager.
/// Stopping it closes the socket: new connections are refused (or land on another process
/// sharing the port), existing clients are untouched. A socket shared with another process
/// (handed over for an upgrade) is first let go through <c>release</c>, so closing it here
/// cannot disturb the other process's use of it.
/// </summary>
public sealed class ListenerActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Socket _socket;
    private readonly IActorRef _connections;
    private readonly Action<Socket>? _release;
    private readonly CancellationTokenSource _cts = new();

    public static Props Props(Socket boundSocket, IActorRef connections, Action<Socket>? release = null) =>
        Akka.Actor.Props.Create(() => new ListenerActor(boundSocket, connections, release));

    public ListenerActor(Socket boundSocket, IActorRef connections, Action<Socket>? release = null)
    {
        _socket = boundSocket;
        _connections = connections;
        _release = release;
        ReceiveAny(_ => { });
    }

    protected override void PreStart()
    {
        _log.Info("RTMP listening on {0}", _socket.LocalEndPoint);
        _ = AcceptLoopAsync(_cts.Token);
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        try { _release?.Invoke(_socket); }
        catch (Exception e) { _log.Warning("releasing the RTMP listening socket failed: {0}", e.Message); }
        _socket.Dispose();
        _log.Info("RTMP listener closed");
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var client = await _socket.AcceptAsync(ct).ConfigureAwait(false);
                _connections.Tell(new Accepted(client));
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                // Resource exhaustion (EMFILE) and aborted handshakes are transient; keep accepting.
                _log.Warning("accept failed: {0}", e.Message);
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
