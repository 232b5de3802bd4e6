using System.Net.Sockets;

namespace Srs.Actors.Connections;

/// <summary>The one test for "the client's connection went away" while reading from or writing to it.</summary>
public static class ConnectionLost
{
    /// <summary>
    /// True when <paramref name="e"/> is the peer's side of a socket failure (reset, closed, or the
    /// socket disposed under a pending call), not a fault of ours.
    /// </summary>
    public static bool Is(Exception e) => e is IOException or SocketException or ObjectDisposedException;
}
