using System.Net.Sockets;

namespace Srs.Node.Http.Transport;

/// <summary>
/// Lets a request take its connection's socket away from Kestrel, like Go's <c>http.Hijacker</c>:
/// a live HTTP-FLV response then streams on the socket while Kestrel's connection and request state
/// (~8 KB a player) is released. Offered by <see cref="TakeoverSocketTransport"/>.
/// </summary>
public interface ISocketTakeoverFeature
{
    /// <summary>
    /// Stops the transport's use of the socket and hands it over; null if the connection is already
    /// closing. Afterwards Kestrel must write nothing more: abort the request (<c>HttpContext.Abort</c>),
    /// which then leaves the socket open. The caller owns it and disposes it.
    /// </summary>
    ValueTask<Socket?> TakeOverAsync();
}
