using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

public class ClusterQuitTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Sigquit_on_an_origin_shows_it_draining_then_leaving_then_gone_on_the_other_nodes()
    {
        await using var cluster = await TestCluster.StartAsync(log, "grace-start-wait = 1500ms\ngrace-final-wait = 800ms", "origin", "origin", "edge");
        var (quitting, watcher) = (cluster.Nodes[1], cluster.Nodes[2]);
        var address = cluster.Addresses[quitting];

        var seen = new List<string>();
        quitting.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(async () =>
        {
            var member = (await cluster.MembersAsync(watcher)).FirstOrDefault(m => m.Address == address);
            var status = member is null ? "gone" : member.Status;
            if (seen.Count == 0 || seen[^1] != status) seen.Add(status);
            return status == "gone";
        }, TimeSpan.FromSeconds(20), () => "gone; seen " + string.Join(" > ", seen) + "\n" + quitting.Output);

        log.WriteLine("seen from the edge: " + string.Join(" > ", seen));
        var draining = seen.IndexOf("Draining");
        var leaving = seen.FindIndex(s => s is "Leaving" or "Exiting");
        Assert.True(draining >= 0, "never seen draining: " + string.Join(" > ", seen));
        Assert.True(leaving > draining, "not seen leaving after draining: " + string.Join(" > ", seen));
        Assert.Equal(0, (await quitting.WaitForExitAsync(TimeSpan.FromSeconds(10))) is null ? -1 : quitting.ExitCode);
    }
}
