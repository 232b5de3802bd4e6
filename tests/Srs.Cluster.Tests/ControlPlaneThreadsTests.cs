using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

/// <summary>
/// The cluster and remoting run on a thread of their own (default.conf), not on the .NET thread pool
/// the data plane fills: seen from outside, as the threads the running node has.
/// </summary>
public class ControlPlaneThreadsTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Akka_internal_and_remoting_actors_share_one_dedicated_thread()
    {
        await using var cluster = await TestCluster.StartAsync(log, "", "origin");
        var pid = cluster.Nodes[0].Pid;

        // Linux keeps the first 15 bytes of a thread's name: the dispatcher's id, cut short.
        var names = Directory.GetDirectories($"/proc/{pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim()).ToList();
        log.WriteLine("threads: " + string.Join(", ", names.GroupBy(n => n).Select(g => $"{g.Key} x{g.Count()}")));
        Assert.Equal(1, names.Count(n => n == "akka.actor.inte")); // akka.actor.internal-dispatcher_1
        Assert.Equal(0, names.Count(n => n == "akka.remote.def")); // no akka.remote.default-remote-dispatcher of its own
    }
}
