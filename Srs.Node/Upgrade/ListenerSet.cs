using System.Net;
using System.Net.Sockets;

namespace Srs.Node.Upgrade;

/// <summary>
/// The listening sockets this process accepts on (RTMP, HTTP API, HTTP-FLV): what it hands to a
/// new process on request, and what it must close with care, because after a handover the same
/// kernel socket (one accept queue) is held by both processes.
/// </summary>
public sealed class ListenerSet
{
    private readonly Lock _gate = new();
    private readonly List<(string Name, Socket Socket)> _open = [];

    public void Add(string name, Socket socket)
    {
        lock (_gate) _open.Add((name, socket));
    }

    /// <summary>Runs <paramref name="action"/> on the open listeners while none can be released.</summary>
    public T With<T>(Func<IReadOnlyList<(string Name, Socket Socket)>, T> action)
    {
        lock (_gate) return action(_open.ToArray());
    }

    public string Describe() => With(open => string.Join(", ", open.Select(o => $"{o.Name} {o.Socket.LocalEndPoint}")));

    /// <summary>
    /// Stops this process's use of a listening socket without touching the kernel socket, which a
    /// successor may share: the descriptor is pointed at a placeholder (an idle Unix listener) so
    /// what .NET does when the Socket is then disposed reaches the placeholder. That matters: to
    /// end a pending accept .NET may call shutdown() or connect(AF_UNSPEC) on the descriptor, which
    /// on a listening socket resets every connection queued on it, for every process; and after
    /// aborting a pending accept it sets SO_LINGER 0 before close(), which the successor's accepted
    /// connections would inherit (RST instead of FIN when it closes them). With no successor this
    /// process held the last reference and the socket closes as before (queued connections reset,
    /// the port refuses). The caller disposes the Socket afterwards. Idempotent.
    /// </summary>
    public void Release(Socket socket)
    {
        lock (_gate)
        {
            var index = _open.FindIndex(o => ReferenceEquals(o.Socket, socket));
            if (index < 0) return;
            _open.RemoveAt(index);
            if (!OperatingSystem.IsLinux() || socket.SafeHandle.IsClosed) return;
            using var placeholder = Placeholder();
            UnixFdPassing.Redirect(socket, placeholder);
        }
    }

    public void ReleaseAll()
    {
        foreach (var (_, socket) in With(open => open)) Release(socket);
    }

    // A listening Unix socket on a unique abstract name: accept() on it finds nothing (EAGAIN), so
    // a pending accept stays pending until the Socket is disposed, and nothing outside can reach it.
    private static Socket Placeholder()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Bind(new UnixDomainSocketEndPoint($"\0srs-released-{Environment.ProcessId}-{Guid.NewGuid():N}"));
            s.Listen(1);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="s"/> is a listening TCP socket (SO_ACCEPTCONN).</summary>
    public static bool IsListeningTcp(Socket s) =>
        s.SocketType == SocketType.Stream && s.LocalEndPoint is IPEndPoint
        && (int)s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection)! != 0;
}
