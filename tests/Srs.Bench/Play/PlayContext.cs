using System.Net;

namespace Srs.Bench.Play;

/// <summary>What every player of a run shares: where to connect, the latency histogram, and whether the steady window is open.</summary>
public sealed class PlayContext(IPEndPoint server, int receiveBufferBytes, int probeEvery = 1, int batchBytes = 0)
{
    public IPEndPoint Server { get; } = server;
    public int ReceiveBufferBytes { get; } = receiveBufferBytes;

    /// <summary>Every this many players (by index) is a latency probe: it reads every message as it arrives.
    /// 1: all players are probes.</summary>
    public int ProbeEvery { get; } = Math.Max(1, probeEvery);

    /// <summary>
    /// Players that are not probes set SO_RCVLOWAT to this many bytes after their first keyframe, so the
    /// tool wakes for them once per batch instead of once per message (a tenth of the system calls or
    /// less): the load tool stays far from its core's limit with thousands of players. Their frames,
    /// bytes and stalls are counted the same; their latency is not recorded (batching delays it). 0: off.
    /// </summary>
    public int BatchBytes { get; } = batchBytes;

    public bool IsProbe(int index) => BatchBytes == 0 || index % ProbeEvery == 0;

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
