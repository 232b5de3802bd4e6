using System.Diagnostics;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

/// <summary>The split-brain resolver counts origins only: losing edges never downs an origin.</summary>
public class EdgeLossTests(ITestOutputHelper log)
{
    [Fact]
    public async Task A_killed_edge_with_the_lowest_address_is_downed_and_removed_and_the_lone_origin_keeps_serving()
    {
        // Node 0 has the lowest cluster address: on a tie between all members it would be the side kept.
        await using var cluster = await TestCluster.StartAsync(log, "", "edge", "origin");
        var (edge, origin) = (cluster.Nodes[0], cluster.Nodes[1]);

        edge.Signal(Posix.SIGKILL);
        Assert.NotNull(await edge.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var killed = Stopwatch.StartNew();
        await Poll.AssertAsync(async () => origin.HasExited
                || (await cluster.MembersAsync(origin))?.Select(m => (m.Address, m.Status)).SequenceEqual([(cluster.Addresses[origin], "Up")]) == true,
            TimeSpan.FromSeconds(40), () => "the edge removed\n" + origin.Output);
        Assert.False(origin.HasExited, "the origin stays up\n" + origin.Output);
        log.WriteLine($"edge removed {killed.ElapsedMilliseconds} ms after the kill");
        await OriginServing.AssertAsync(origin, "after-lost-edge");
    }
}
