using System.Net;
using System.Net.Sockets;

namespace Srs.Testing;

/// <summary>Many plain TCP connections to a port (each one a connection actor on the node, waiting for its handshake).</summary>
public sealed class IdleClients : IDisposable
{
    private readonly Socket[] _sockets;

    private IdleClients(Socket[] sockets) => _sockets = sockets;

    public static async Task<IdleClients> OpenAsync(int port, int count)
    {
        var sockets = new Socket[count];
        for (var i = 0; i < count; i++)
        {
            sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await sockets[i].ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        }
        return new IdleClients(sockets);
    }

    /// <summary>How many of the connections the server has closed (EOF or reset).</summary>
    public int CountClosedByServer()
    {
        var closed = 0;
        var buffer = new byte[1];
        foreach (var s in _sockets)
        {
            try
            {
                if (!s.Poll(0, SelectMode.SelectRead)) continue; // nothing yet: still open
                if (s.Available == 0 || s.Receive(buffer) == 0) closed++;
            }
            catch (SocketException) { closed++; }
        }
        return closed;
    }

    public void Dispose()
    {
        foreach (var s in _sockets) s.Dispose();
    }
}
