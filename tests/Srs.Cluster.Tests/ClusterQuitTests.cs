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
            if (await cluster.MembersAsync(watcher) is not { } members) return false; // no answer is not "gone"
            var status = members.FirstOrDefault(m => m.Address == address)?.Status ?? "gone";
            if (seen.Count == 0 || seen[^1] != status) seen.Add(status);
            return status == "gone";
        }, TimeSpan.FromSeconds(20), () => "gone; seen " + string.Join(" > ", seen) + "\n" + quitting.Output);

        // Draining lasts the grace waits (2.3 s here), so the API shows it; Leaving and Exiting can
        // each last less than one leader round (200 ms), shorter than a poll on a busy machine, so
        // they are checked in the order the watcher learnt them, from its log.
        log.WriteLine("seen from the edge: " + string.Join(" > ", seen));
        Assert.True(seen.IndexOf("Draining") >= 0, "never seen draining: " + string.Join(" > ", seen));
        Assert.DoesNotContain("Up", seen.SkipWhile(s => s != "Draining"));
        // The API can answer "gone" before the watcher's log line about it has reached us (its
        // stdout is read asynchronously), so the log is awaited, not read once.
        List<string> Changes() => watcher.Output.Split('\n').Where(l => l.Contains($"cluster member {address} (origin)")).ToList();
        await Poll.AssertAsync(() => Changes().Any(l => l.Contains(" removed (was ")), TimeSpan.FromSeconds(5),
            () => "the watcher's log shows it removed:\n" + string.Join("\n", Changes()));
        var changes = Changes();
        var leaving = changes.FindIndex(l => l.Contains(" is Leaving") || l.Contains(" is Exiting"));
        var removed = changes.FindIndex(l => l.Contains(" removed (was "));
        Assert.True(leaving >= 0 && removed > leaving, "the watcher's log shows it leaving, then removed:\n" + string.Join("\n", changes));
        Assert.Equal(0, (await quitting.WaitForExitAsync(TimeSpan.FromSeconds(10))) is null ? -1 : quitting.ExitCode);
    }
}
