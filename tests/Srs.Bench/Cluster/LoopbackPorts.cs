using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Srs.Bench.Cluster;

/// <summary>
/// Free loopback ports below the kernel's ephemeral range. The cluster's nodes start in batches
/// over a minute or more, and meanwhile every connection made on the machine takes an ephemeral
/// port: a port the kernel handed out as free (tests/Srs.Testing/FreePorts) may be some socket's
/// by the time its node binds it. Below the range only an explicit bind can take it.
/// </summary>
public static class LoopbackPorts
{
    private const int Lowest = 10_000;

    public static int[] Take(int count)
    {
        var high = EphemeralLow();
        var candidates = Enumerable.Range(Lowest, Math.Max(0, high - Lowest)).OrderBy(_ => Random.Shared.Next()).ToArray();
        var held = new List<Socket>();
        try
        {
            foreach (var port in candidates)
            {
                if (held.Count == count) break;
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                    held.Add(socket);
                }
                catch (SocketException)
                {
                    socket.Dispose();
                }
            }
            if (held.Count < count) throw new InvalidOperationException($"only {held.Count} free ports between {Lowest} and {high}");
            return held.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
    }

    /// <summary>The first port of the ephemeral range (net.ipv4.ip_local_port_range), 32768 where it cannot be read.</summary>
    private static int EphemeralLow()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return 32768; }
    }
}
