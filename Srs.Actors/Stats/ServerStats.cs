using System.Collections.Concurrent;

namespace Srs.Actors.Stats;

/// <summary>
/// The node's live statistics, as SRS keeps them: one entry per connected client and per live
/// source, plus counters for /metrics. Entries are added and removed by the actors that own
/// them; the HTTP API only reads.
/// </summary>
public sealed class ServerStats
{
    private long _nextClientId;
    private long _nextStreamId;
    private long _connectionsAccepted;
    private long _sourcesCreated;
    private long _sourcesPassivated;
    private long _bytesIn;
    private long _bytesOut;
    private long _upstreamBytesIn;
    private long _upstreamBytesOut;

    public ConcurrentDictionary<string, ClientStats> Clients { get; } = new();
    public ConcurrentDictionary<string, StreamStats> Streams { get; } = new();
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);
    public long SourcesCreated => Interlocked.Read(ref _sourcesCreated);
    public long SourcesPassivated => Interlocked.Read(ref _sourcesPassivated);
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut);
    /// <summary>Bytes an edge received from origins (pulls) and sent to them (forwarded publishes).</summary>
    public long UpstreamBytesIn => Interlocked.Read(ref _upstreamBytesIn);
    public long UpstreamBytesOut => Interlocked.Read(ref _upstreamBytesOut);

    public string NextClientId() => Interlocked.Increment(ref _nextClientId).ToString();
    public string NextStreamId() => "vid-" + Interlocked.Increment(ref _nextStreamId);

    public void OnConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
    public void OnSourceCreated() => Interlocked.Increment(ref _sourcesCreated);
    public void OnSourcePassivated() => Interlocked.Increment(ref _sourcesPassivated);
    public void AddBytesIn(long n) => Interlocked.Add(ref _bytesIn, n);
    public void AddBytesOut(long n) => Interlocked.Add(ref _bytesOut, n);
    public void AddUpstreamBytesIn(long n) => Interlocked.Add(ref _upstreamBytesIn, n);
    public void AddUpstreamBytesOut(long n) => Interlocked.Add(ref _upstreamBytesOut, n);
}
