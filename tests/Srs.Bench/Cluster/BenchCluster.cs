using System.Diagnostics;
using System.Text.Json;
using Srs.Bench.Report;
using Srs.Bench.Server;

namespace Srs.Bench.Cluster;

/// <summary>
/// The bench's own cluster: origin and edge node processes on free loopback ports (<see cref="LoopbackPorts"/>), the first
/// origin the seed, each configured by a file in a temporary directory. Disposing stops every
/// node (SIGTERM, then kill past a bound) and deletes the directory.
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(15);

    private readonly string _dir = Directory.CreateTempSubdirectory("srs-bench-cluster-").FullName;

    private BenchCluster(IReadOnlyList<ClusterNode> nodes) => Nodes = nodes;

    public IReadOnlyList<ClusterNode> Nodes { get; }
    public IReadOnlyList<ClusterNode> Origins => Nodes.Where(n => n.Role == "origin").ToArray();
    public IReadOnlyList<ClusterNode> Edges => Nodes.Where(n => n.Role == "edge").ToArray();

    /// <summary>
    /// Starts the nodes, the seed first, then <paramref name="batch"/> at a time, each batch once every
    /// node started so far sees all of them Up: tens of processes starting at once on two cores
    /// delay each other's heartbeats past the failure detector and get downed before they are Up.
    /// </summary>
    /// <param name="extraConf">HOCON added to every node's configuration.</param>
    /// <param name="logDir">Each node's output goes to DIR/NAME.log too (origin-0.log ...).</param>
    public static async Task<BenchCluster> StartAsync(string nodeBinary, int origins, int edges, int batch, string? logDir, string logLevel,
        string extraConf, TimeSpan timeout, CancellationToken ct)
    {
        var count = origins + edges;
        // Every port at once, so no two nodes draw the same free port.
        var ports = LoopbackPorts.Take(4 * count);
        var nodes = Enumerable.Range(0, count).Select(i => new ClusterNode(i < origins ? "origin" : "edge", i < origins ? i : i - origins,
            ports[4 * i], ports[4 * i + 1], ports[4 * i + 2], ports[4 * i + 3])).ToArray();
        var cluster = new BenchCluster(nodes);
        try
        {
            var clock = Stopwatch.StartNew();
            for (var started = 0; started < count;)
            {
                foreach (var node in nodes[started..Math.Min(count, started == 0 ? 1 : started + batch)])
                {
                    var conf = Path.Combine(cluster._dir, node.Name + ".conf");
                    await File.WriteAllTextAsync(conf, node.Config(nodes[0].Address, logLevel, extraConf), ct);
                    node.Runner = NodeRunner.Start(nodeBinary, conf, logDir, node.Name + ".log", node.Log.OnLine);
                    started++;
                }
                await WaitAllUpAsync(nodes[..started], timeout - clock.Elapsed, ct);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until each of <paramref name="nodes"/> sees all of them Up.</summary>
    private static async Task WaitAllUpAsync(ClusterNode[] nodes, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var up = new int[nodes.Length];
        await using (new ConsoleProgress(() => $"  {clock.Elapsed.TotalSeconds,5:0}s  {nodes.Length} started; members Up as each sees them: " +
                                               string.Join(" ", up.Select(u => u.ToString()))))
        {
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            while (true)
            {
                foreach (var node in nodes)
                    if (node.Runner!.HasExited)
                        throw new InvalidOperationException($"{node.Name} exited with {node.Runner.ExitCode} at start:\n{node.Runner.Tail}");
                var counts = await Task.WhenAll(nodes.Select(n => UpCountAsync(n, ct)));
                counts.CopyTo(up, 0);
                if (counts.All(c => c == nodes.Length)) return;
                if (clock.Elapsed > timeout)
                {
                    var late = nodes.Where((_, i) => up[i] != nodes.Length).First();
                    throw new InvalidOperationException($"not every member Up in time (each node sees: " +
                                                        $"{string.Join(" ", up)}); {late.Name} said:\n{late.Runner!.Tail}");
                }
                await poll.WaitForNextTickAsync(ct);
            }
        }
    }

    /// <summary>Members Up in this node's view; 0 while its API does not answer yet.</summary>
    private static async Task<int> UpCountAsync(ClusterNode node, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var json = await node.Api.GetJsonAsync("/api/v1/cluster", timeout.Token);
            return json is null ? 0 : json.RootElement.GetProperty("cluster").GetProperty("members").EnumerateArray()
                .Count(m => m.GetProperty("status").GetString() == "Up");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException
                                       || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>Members Up as each node sees them (0 for a node whose API does not answer).</summary>
    public Task<int[]> UpCountsAsync(CancellationToken ct) => Task.WhenAll(Nodes.Select(n => UpCountAsync(n, ct)));

    /// <summary>The node that announced <paramref name="address"/> in the directory.</summary>
    public ClusterNode? ByAddress(string address) => Nodes.FirstOrDefault(n => n.Address == address);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) node.Runner?.Terminate();
        await Task.WhenAll(Nodes.Where(n => n.Runner is not null).Select(async n =>
        {
            await n.Runner!.WaitForExitAsync(StopBound);
            await n.Runner.DisposeAsync(); // kills it if it is still there
            n.Api.Dispose();
        }));
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
