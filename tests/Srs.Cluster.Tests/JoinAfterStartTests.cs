using System.Net;
using System.Net.Sockets;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

/// <summary>A node joins the cluster only once it serves: a start that fails leaves the cluster untouched.</summary>
public class JoinAfterStartTests(ITestOutputHelper log)
{
    /// <summary>The resolver's stable-after (default.conf) plus the failure detector's ~6 s, with slack for a busy machine.</summary>
    private static readonly TimeSpan ResolverWindow = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("http-server")]
    [InlineData("http-api")]
    [InlineData("cluster")]
    public async Task An_edge_whose_port_is_taken_exits_1_without_ever_being_a_member_and_the_origin_keeps_serving(string listener)
    {
        // The edge gets the lower cluster address: had it been a member, a tie would keep its side, not the origin.
        var clusterPorts = FreePorts.Take(2).Order().ToArray();
        var (edgeClusterPort, originClusterPort) = (clusterPorts[0], clusterPorts[1]);
        await using var cluster = await TestCluster.StartAsync(log, "", [originClusterPort, edgeClusterPort], "origin");
        var origin = cluster.Nodes[0];

        // A plain listener (no SO_REUSEPORT), so the edge cannot share the port even with reuseport = on.
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        var taken = ((IPEndPoint)blocker.LocalEndPoint!).Port;
        var free = FreePorts.Take(4).Except([edgeClusterPort]).Take(3).ToArray();
        int[] ports = listener switch
        {
            "http-api" => [free[0], taken, free[1]],
            "http-server" => [free[0], free[1], taken],
            _ => free,
        };
        if (listener == "cluster") edgeClusterPort = taken;
        var edgeAddress = $"akka.tcp://srs@127.0.0.1:{edgeClusterPort}";
        await using var edge = await NodeProcess.LaunchAsync("role = edge", log, ports,
            rootConf: $"akka.remote.dot-netty.tcp.port = {edgeClusterPort}\nakka.cluster.seed-nodes = [\"{cluster.Seed}\"]");

        Assert.NotNull(await edge.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(edge.ExitCode == 1, $"exit code {edge.ExitCode}\n{edge.Output}");
        var errors = edge.Output.Split('\n').Where(l => l.Contains("[stderr] error: ")).ToList();
        Assert.True(errors.Count == 1 && errors[0].Contains(taken.ToString()), "one error line naming the port\n" + edge.Output);

        // Past the window in which the resolver would have acted on a member that vanished.
        var failed = await Poll.UntilAsync(() => origin.HasExited || origin.Output.Contains("SBR took decision"), ResolverWindow);
        Assert.False(failed, "the origin kept out of any downing decision\n" + origin.Output);
        Assert.DoesNotContain(edgeAddress, origin.Output);
        var members = await cluster.MembersAsync(origin);
        Assert.Equal([cluster.Addresses[origin]], members?.Select(m => m.Address));
        await OriginServing.AssertAsync(origin, "after-failed-edge");
    }
}
