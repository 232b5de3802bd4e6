using System.Net;

namespace Srs.Bench.Play;

/// <summary>What every player of a run shares: where to connect, the latency histogram, and whether the steady window is open.</summary>
public sealed class PlayContext(IPEndPoint server, int receiveBufferBytes)
{
    public IPEndPoint Server { get; } = server;
    public int ReceiveBufferBytes { get; } = receiveBufferBytes;

    /// <summary>End-to-end latency of stamped frames received while the window is open.</summary>
    public LatencyHistogram Latency { get; } = new();

    public volatile bool InWindow;

    public static async Task<IPEndPoint> ResolveAsync(string host, int port)
    {
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        var addresses = await Dns.GetHostAddressesAsync(host);
        return new IPEndPoint(addresses.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), port);
    }
}
