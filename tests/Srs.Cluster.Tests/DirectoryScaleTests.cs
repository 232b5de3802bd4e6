using System.Collections.Concurrent;
using System.Diagnostics;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Cluster.Tests;

/// <summary>
/// The directory at a size where a whole-entry design breaks (one DistributedData entry per node
/// passed Akka's 128 KB frame at about 1,100 streams): 2,000 streams on one origin of a 3-node cluster.
/// </summary>
public class DirectoryScaleTests(ITestOutputHelper log)
{
    private const int Streams = 2000;
    private const int Every = 40; // a sample of 50 streams is timed from Publish.Start to the edge resolving it

    [Fact]
    public async Task Two_thousand_streams_on_one_origin_are_all_accepted_and_resolvable_on_the_edge_within_a_second_at_p99()
    {
        await using var cluster = await TestCluster.StartAsync(log, "rtmp.publisher-timeout = 300s", "origin", "origin", "edge");
        var (a, b, edge) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        var publishers = new ConcurrentBag<HeldPublisher>();
        var failures = new ConcurrentBag<string>();
        var discovery = new ConcurrentBag<double>();
        try
        {
            // Ramped at 200 a second, 50 publishes at a time.
            var clock = Stopwatch.StartNew();
            var samples = new List<Task>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Streams), new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (i, _) =>
            {
                var due = TimeSpan.FromSeconds(i / 200.0) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due);
                try
                {
                    var publisher = await HeldPublisher.StartAsync(a.RtmpPort, "live", $"s-{i}", TimeSpan.FromSeconds(15));
                    publishers.Add(publisher);
                    if (i % Every == 0)
                        lock (samples) samples.Add(TimeDiscoveryAsync(edge, $"s-{i}", cluster.Addresses[a], publisher.PublishedAt, discovery, failures));
                }
                catch (Exception e)
                {
                    failures.Add($"s-{i}: {e.GetType().Name} {e.Message}");
                }
            });
            await Task.WhenAll(samples);
            log.WriteLine($"{publishers.Count} published in {clock.Elapsed.TotalSeconds:F1} s");

            Assert.True(failures.IsEmpty, $"{failures.Count} failed, e.g.\n{string.Join('\n', failures.Take(5))}\n{Tail(a)}");
            var sorted = discovery.Order().ToArray();
            var p99 = sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1];
            log.WriteLine($"resolvable on the edge after Publish.Start, ms: p50 {sorted[sorted.Length / 2]:F0}, p99 {p99:F0}, max {sorted[^1]:F0} ({sorted.Length} streams)");
            Assert.True(p99 < 1000, $"discovery p99 {p99:F0} ms");

            // Every node's replica holds them all; streams published first and last play from the edge.
            foreach (var node in new[] { b, edge })
                await Poll.AssertAsync(async () => (await cluster.MembersAsync(node))?.Single(m => m.Address == cluster.Addresses[a]).Published == Streams,
                    TimeSpan.FromSeconds(10), () => "every stream in the replica\n" + Tail(node));
            foreach (var name in new[] { "s-0", $"s-{Streams - 1}" })
                await HeldPublisher.PlayFirstKeyframeAsync(edge.RtmpPort, "live", name, TimeSpan.FromSeconds(10));

            // The cluster listing pages through every stream (asked of the nodes, each answer within the frame).
            var listed = new List<string>();
            for (var start = 0; start < Streams + 10; start += 1000)
            {
                var page = (await edge.GetJsonAsync($"/api/v1/streams?scope=cluster&start={start}&count=1000"))!.Value;
                listed.AddRange(page.GetProperty("streams").EnumerateArray()
                    .Where(s => s.GetProperty("node").GetString() == cluster.Addresses[a]).Select(s => s.GetProperty("name").GetString()!));
            }
            Assert.Equal(Enumerable.Range(0, Streams).Select(i => $"s-{i}").Order(), listed.Order());
        }
        finally
        {
            foreach (var p in publishers) await p.DisposeAsync();
        }
        foreach (var node in cluster.Nodes)
            Assert.DoesNotContain("OversizedPayload", node.Output);
    }

    private static async Task TimeDiscoveryAsync(NodeProcess edge, string stream, string origin, long publishedAt,
        ConcurrentBag<double> discovery, ConcurrentBag<string> failures)
    {
        if (await Poll.UntilAsync(async () => (await TestCluster.OriginsAsync(edge, stream))?.Contains(origin) == true, TimeSpan.FromSeconds(10)))
            discovery.Add(Stopwatch.GetElapsedTime(publishedAt).TotalMilliseconds);
        else
            failures.Add($"{stream}: not resolvable on the edge within 10 s");
    }

    private static string Tail(NodeProcess node) => string.Join('\n', node.Output.Split('\n').TakeLast(30));
}
