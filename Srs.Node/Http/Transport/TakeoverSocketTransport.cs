using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Srs.Node.Http.Transport;

/// <summary>
/// Kestrel's transport for the HTTP-FLV server: plain sockets, as Kestrel's own, whose connections
/// can be taken over by a request (<see cref="ISocketTakeoverFeature"/>). Listening sockets come
/// from <paramref name="bind"/>, already listening (fresh, or inherited from a predecessor).
/// </summary>
public sealed class TakeoverSocketTransport(Func<EndPoint, Socket> bind) : IConnectionListenerFactory
{
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new(new TakeoverSocketListener(bind(endpoint)));
}
