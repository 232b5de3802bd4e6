using System.Diagnostics;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

public class StreamDirectoryTests(ITestOutputHelper log)
{
    [Fact]
    public async Task A_stream_published_on_either_origin_is_resolvable_from_the_edge_within_a_second_and_gone_after_unpublish_and_idle()
    {
        await using var cluster = await TestCluster.StartAsync(log, "source.idle-timeout = 1s", "origin", "origin", "edge");
        var edge = cluster.Nodes[2];

        foreach (var (origin, name) in new[] { (cluster.Nodes[0], "dir-a"), (cluster.Nodes[1], "dir-b") })
        {
            var key = $"__defaultVhost__/live/{name}";
            await using var publisher = FfmpegProcess.Publish($"rtmp://127.0.0.1:{origin.RtmpPort}/live/{name}", TimeSpan.FromSeconds(3));

            // From the moment the origin itself says the stream is published...
            await Poll.AssertAsync(() => origin.IsPublishedAsync(name), TimeSpan.FromSeconds(20), () => "published\n" + publisher.Errors + origin.Output);
            var published = Stopwatch.StartNew();
            // ...the edge's directory knows which origin holds it.
            await Poll.AssertAsync(async () => (await TestCluster.OriginsAsync(edge, name))?.SequenceEqual([cluster.Addresses[origin]]) == true,
                TimeSpan.FromSeconds(5), () => "edge resolves " + key + "\n" + edge.Output);
            var resolvedAfter = published.Elapsed;
            log.WriteLine($"{key}: resolvable on the edge {resolvedAfter.TotalMilliseconds:F0} ms after the origin reported it");
            Assert.True(resolvedAfter < TimeSpan.FromSeconds(1), $"resolvable after {resolvedAfter.TotalMilliseconds:F0} ms");

            // The publisher ends; after the idle timeout the source passivates and the directory forgets it.
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(20));
            await Poll.AssertAsync(async () => (await TestCluster.OriginsAsync(edge, name)) is [] && (await cluster.MembersAsync(edge))?.All(m => m.Published == 0) == true
                                              && (await edge.GetJsonAsync("/api/v1/streams?scope=cluster"))?.GetProperty("streams").GetArrayLength() == 0,
                TimeSpan.FromSeconds(10), () => "gone from the directory\n" + origin.Output);
        }
    }
}
