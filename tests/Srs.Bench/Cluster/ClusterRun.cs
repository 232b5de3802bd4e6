namespace Srs.Bench.Cluster;

/// <summary>What the phases of one <c>cluster</c> run share: the nodes, the options, the traffic counter, the directory reader,
/// and the publishers still holding streams (stopped at the end of the run).</summary>
public sealed class ClusterRun(BenchCluster cluster, ClusterOptions options, ClusterTraffic traffic, DirectoryReader directory) : IAsyncDisposable
{
    public BenchCluster Cluster { get; } = cluster;
    public ClusterOptions Options { get; } = options;
    public ClusterTraffic Traffic { get; } = traffic;
    public DirectoryReader Directory { get; } = directory;

    /// <summary>Streams a phase leaves live for the later ones (the ramp's).</summary>
    public List<PublisherWorkers> Held { get; } = new();

    /// <summary>Origins the phases publish on: origin 0, or all of them with --spread.</summary>
    public IReadOnlyList<int> PublishPorts => Options.Spread ? Cluster.Origins.Select(o => o.RtmpPort).ToArray() : [Cluster.Origins[0].RtmpPort];

    /// <summary>Worker processes for a plan with at most <paramref name="live"/> streams at once.</summary>
    public int WorkersFor(long live) => (int)Math.Max(1, (live + Options.PerWorker - 1) / Options.PerWorker);

    public async ValueTask DisposeAsync()
    {
        foreach (var held in Held) await held.DisposeAsync();
        Held.Clear();
    }
}
