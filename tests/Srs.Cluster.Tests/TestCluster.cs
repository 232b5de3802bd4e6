using System.Text.Json;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

/// <summary>
/// Node processes joined into one Akka cluster on 127.0.0.1. Node i has the i-th lowest cluster
/// address (the split-brain resolver keeps the lowest address on a tie, so tests choose who that
/// is); the seed is the first origin.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = new();
    public IReadOnlyList<NodeProcess> Nodes => _nodes;
    public Dictionary<NodeProcess, string> Addresses { get; } = new();
    public string Seed { get; private set; } = "";

    /// <summary>Starts nodes with the given roles (and extra srs config) and waits until every node sees all of them Up.</summary>
    public static Task<TestCluster> StartAsync(ITestOutputHelper log, string extraConf, params string[] roles) =>
        StartAsync(log, extraConf, FreePorts.Take(roles.Length).Order().ToArray(), roles);

    /// <summary>
    /// As above, node i on cluster port <paramref name="clusterPorts"/>[i]; ports past the nodes'
    /// are kept free for nodes the test starts itself.
    /// </summary>
    public static async Task<TestCluster> StartAsync(ITestOutputHelper log, string extraConf, int[] clusterPorts, params string[] roles)
    {
        var cluster = new TestCluster();
        // Every other port at once, so no two nodes draw the same free port.
        var all = FreePorts.Take(3 * roles.Length + clusterPorts.Length).Except(clusterPorts).Take(3 * roles.Length).ToArray();
        var seed = $"akka.tcp://srs@127.0.0.1:{clusterPorts[Math.Max(0, Array.IndexOf(roles, "origin"))]}";
        cluster.Seed = seed;
        try
        {
            var starting = roles.Select((role, i) => NodeProcess.StartAsync($"role = {role}\n{extraConf}", log,
                ports: all[(3 * i)..(3 * i + 3)],
                rootConf: $"akka.remote.dot-netty.tcp.port = {clusterPorts[i]}\nakka.cluster.seed-nodes = [\"{seed}\"]")).ToArray();
            foreach (var (node, i) in (await Task.WhenAll(starting)).Select((n, i) => (n, i)))
            {
                cluster._nodes.Add(node);
                cluster.Addresses[node] = $"akka.tcp://srs@127.0.0.1:{clusterPorts[i]}";
            }
            foreach (var node in cluster._nodes)
                await Poll.AssertAsync(async () => (await cluster.MembersAsync(node))?.Count(m => m.Status == "Up") == roles.Length,
                    TimeSpan.FromSeconds(30), () => "all members Up\n" + node.Output);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <param name="Published">Streams published on that member, as <see cref="MembersAsync"/>'s node holds them.</param>
    public sealed record Member(string Address, string Status, bool Draining, int Published);

    /// <summary>/api/v1/cluster as <paramref name="node"/> sees it; null when the API did not answer
    /// (a busy machine), which callers must not read as "no members".</summary>
    public async Task<IReadOnlyList<Member>?> MembersAsync(NodeProcess node)
    {
        var json = await node.GetJsonAsync("/api/v1/cluster");
        if (json is null) return null;
        return json.Value.GetProperty("cluster").GetProperty("members").EnumerateArray().Select(m => new Member(
            m.GetProperty("address").GetString()!,
            m.GetProperty("status").GetString()!,
            m.GetProperty("draining").GetBoolean(),
            m.GetProperty("published").GetInt32())).ToArray();
    }

    /// <summary>
    /// The cluster addresses of the origins that <paramref name="node"/>'s directory says hold
    /// live/<paramref name="stream"/>; null when the API did not answer.
    /// </summary>
    public static async Task<string[]?> OriginsAsync(NodeProcess node, string stream)
    {
        var json = await node.GetJsonAsync($"/api/v1/cluster/origins?app=live&stream={stream}");
        return json?.GetProperty("origins").EnumerateArray().Select(o => o.GetProperty("node").GetString()!).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }
}
