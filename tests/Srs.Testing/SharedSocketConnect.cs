using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Srs.Testing;

/// <summary>
/// A connection accepted by a chosen one of two processes sharing a listening socket (an upgrade
/// in place): the other is paused (<see cref="ProcessPause"/>) until the chosen one holds the
/// accepted socket, as /proc shows, and then resumed, so that both can serve what follows on it.
/// </summary>
public static class SharedSocketConnect
{
    public static async Task<Socket> ConnectAsync(int port, NodeProcess accepter, NodeProcess other, CancellationToken ct = default)
    {
        using (await ProcessPause.StartAsync(other.Pid))
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            var clientPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
            await Poll.AssertAsync(() => Task.FromResult(HoldsConnection(accepter.Pid, port, clientPort)), TimeSpan.FromSeconds(10),
                () => $"pid {accepter.Pid} accepted the connection from port {clientPort} while pid {other.Pid} was paused (held by the other: {HoldsConnection(other.Pid, port, clientPort)}; inode {Inode(port, clientPort)})\n{accepter.Output}");
            return socket;
        }
    }

    /// <summary>Whether <paramref name="pid"/> has the server side of 127.0.0.1:<paramref name="clientPort"/> → :<paramref name="serverPort"/> among its descriptors.</summary>
    private static bool HoldsConnection(int pid, int serverPort, int clientPort)
    {
        // /proc/net/tcp: "sl local_address rem_address st ... uid timeout inode"; an accepted socket has an inode.
        var inode = Inode(serverPort, clientPort);
        if (inode is null or "0") return false;
        var target = $"socket:[{inode}]";
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try { if (new FileInfo(fd).LinkTarget == target) return true; }
            catch (IOException) { } // closed meanwhile
        }
        return false;
    }

    private static string? Inode(int serverPort, int clientPort) => File.ReadLines("/proc/net/tcp").Skip(1)
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length > 9 && PortOf(f[1]) == serverPort && PortOf(f[2]) == clientPort)
        .Select(f => f[9]).FirstOrDefault();

    private static int PortOf(string address) => int.Parse(address[(address.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
