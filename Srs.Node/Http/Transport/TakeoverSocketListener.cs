using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Srs.Node.Http.Transport;

/// <summary>Accepts connections for <see cref="TakeoverSocketTransport"/>; unbinding closes the listening socket.</summary>
public sealed class TakeoverSocketListener(Socket listenSocket) : IConnectionListener
{
    public EndPoint EndPoint { get; } = listenSocket.LocalEndPoint!;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var socket = await listenSocket.AcceptAsync(cancellationToken);
                socket.NoDelay = true;
                return TakeoverSocketConnection.Start(socket);
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null; // unbound while accepting
            }
            catch (SocketException)
            {
                // reset while in the backlog: take the next one
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listenSocket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        listenSocket.Dispose();
        return ValueTask.CompletedTask;
    }
}
