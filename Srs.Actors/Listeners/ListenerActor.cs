using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Listeners;

/// <summary>
/// Accepts clients on one bound listening socket and hands each to the connection manager.
/// Stopping it closes the socket: new connections are refused (or land on another process
/// sharing the port), existing clients are untouched.
/// </summary>
public sealed class ListenerActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Socket _socket;
    private readonly IActorRef _connections;
    private readonly CancellationTokenSource _cts = new();

    public static Props Props(Socket boundSocket, IActorRef connections) =>
        Akka.Actor.Props.Create(() => new ListenerActor(boundSocket, connections));

    public ListenerActor(Socket boundSocket, IActorRef connections)
    {
        _socket = boundSocket;
        _connections = connections;
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
