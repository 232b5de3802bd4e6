using Srs.Testing;
using Xunit.Abstractions;
using static Srs.Testing.NodeHarness;

namespace Srs.Edge.Tests;

/// <summary>An origin and an edge with edge.origins = [origin]: play through the edge, publish through the edge.</summary>
public class OriginEdgeTests(OriginAndEdge nodes, ITestOutputHelper log) : IClassFixture<OriginAndEdge>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private NodeProcess Origin => nodes.Origin;
    private NodeProcess Edge => nodes.Edge;

    [Fact]
    public async Task Published_on_the_origin_plays_from_the_edge_over_rtmp_and_http_flv()
    {
        var pulledBefore = await UpstreamAsync(Edge, "received");
        await using var publisher = FfmpegProcess.Publish(Rtmp(Origin, "play"), TimeSpan.FromMinutes(1));
        await Poll.AssertAsync(() => Origin.IsPublishedAsync("play"), Deadline, () => "published on the origin\n" + publisher.Errors);

        Assert.Equal("aac,h264", await ProbeCodecsAsync(Rtmp(Edge, "play"), Deadline));
        Assert.Equal("aac,h264", await ProbeCodecsAsync(Flv(Edge, "play"), Deadline));

        await using var rtmp = FfmpegProcess.Play(Rtmp(Edge, "play"));
        await using var flv = FfmpegProcess.Play(Flv(Edge, "play"));
        await Poll.AssertAsync(() => rtmp.Frames >= 50 && flv.Frames >= 50, Deadline,
            () => $"frames: rtmp {rtmp.Frames}, flv {flv.Frames}\n{rtmp.Errors}\n{flv.Errors}\n{nodes.Output}");
        var stream = await StreamAsync(Edge, "play");
        Assert.True(stream?.GetProperty("publish").GetProperty("active").GetBoolean(), "the edge's stream is live");
        Assert.StartsWith("edge-pull:127.0.0.1:", stream!.Value.GetProperty("publish").GetProperty("cid").GetString());

        // What the pull moved shows in the edge's /metrics: media, not only the handshake and commands
        // (~4 KB); an origin pulls from nobody.
        var pulled = await UpstreamAsync(Edge, "received") - pulledBefore;
        log.WriteLine($"edge upstream bytes received during the test: {pulled:F0}");
        Assert.True(pulled > 20_000, $"edge upstream bytes received: {pulled}");
        Assert.Equal(0, await UpstreamAsync(Origin, "received"));
        Assert.Equal(0, await UpstreamAsync(Origin, "sent"));
    }

    private static async Task<double> UpstreamAsync(NodeProcess node, string direction) =>
        await node.MetricAsync($"srs_upstream_bytes_{direction}_total") ?? throw new Xunit.Sdk.XunitException($"no srs_upstream_bytes_{direction}_total in /metrics");

    [Fact]
    public async Task Twenty_players_on_the_edge_make_exactly_one_upstream_connection()
    {
        await using var publisher = FfmpegProcess.Publish(Rtmp(Origin, "many"), TimeSpan.FromMinutes(1));
        await Poll.AssertAsync(() => Origin.IsPublishedAsync("many"), Deadline, () => "published on the origin\n" + publisher.Errors);

        // Ten RTMP players and ten HTTP-FLV players, all arriving at once.
        var rtmp = Enumerable.Range(0, 10).Select(_ => FfmpegProcess.Play(Rtmp(Edge, "many"))).ToArray();
        var flv = Enumerable.Range(0, 10).Select(_ => new CountingFlvPlayer(Flv(Edge, "many"))).ToArray();
        try
        {
            await Poll.AssertAsync(() => rtmp.All(p => p.Frames >= 25) && flv.All(r => r.Bytes >= 50_000), Deadline,
                () => $"frames {string.Join(",", rtmp.Select(p => p.Frames))}; bytes {string.Join(",", flv.Select(r => r.Bytes))}\n{nodes.Output}");
            Assert.Equal(10, (await ClientsAsync(Edge, "many", "rtmp-play")).Count);
            Assert.Equal(10, (await ClientsAsync(Edge, "many", "flv-play")).Count);

            var upstream = await ClientsAsync(Origin, "many", "rtmp-play");
            log.WriteLine($"origin's players of the stream: {string.Join(", ", upstream)}");
            Assert.Single(upstream);
        }
        finally
        {
            foreach (var p in rtmp) await p.DisposeAsync();
            foreach (var r in flv) await r.DisposeAsync();
        }
    }

    [Fact]
    public async Task Published_on_the_edge_plays_from_the_origin()
    {
        var forwardedBefore = await UpstreamAsync(Edge, "sent");
        await using var publisher = FfmpegProcess.Publish(Rtmp(Edge, "up"), TimeSpan.FromMinutes(1));
        await Poll.AssertAsync(() => Origin.IsPublishedAsync("up"), Deadline, () => "forwarded to the origin\n" + publisher.Errors + nodes.Output);
        Assert.Single(await ClientsAsync(Origin, "up", "fmle-publish"));

        Assert.Equal("aac,h264", await ProbeCodecsAsync(Rtmp(Origin, "up"), Deadline));
        await using var player = FfmpegProcess.Play(Rtmp(Origin, "up"));
        await Poll.AssertAsync(() => player.Frames >= 50, Deadline, () => $"frames {player.Frames}\n{player.Errors}\n{nodes.Output}");
        var forwarded = await UpstreamAsync(Edge, "sent") - forwardedBefore;
        log.WriteLine($"edge upstream bytes sent during the test: {forwarded:F0}");
        Assert.True(forwarded > 20_000, // media, not only the handshake and commands
            $"edge upstream bytes sent: {forwarded}");

        // The edge's own players get the local stream directly, and still no pull is made.
        await using var local = FfmpegProcess.Play(Rtmp(Edge, "up"));
        await Poll.AssertAsync(() => local.Frames >= 25, Deadline, () => $"frames {local.Frames}\n{local.Errors}");
        Assert.Single(await ClientsAsync(Origin, "up", "rtmp-play")); // the origin's own player only

        // The publisher leaves: the forward ends, and the origin's stream is unpublished.
        await publisher.DisposeAsync();
        await Poll.AssertAsync(async () => (await ClientsAsync(Origin, "up", "fmle-publish")).Count == 0, Deadline, () => "forward ended\n" + nodes.Output);
    }

    [Fact]
    public async Task After_the_last_edge_player_leaves_the_pull_stops_and_the_edge_stream_passivates()
    {
        await using var publisher = FfmpegProcess.Publish(Rtmp(Origin, "leave"), TimeSpan.FromMinutes(1));
        await Poll.AssertAsync(() => Origin.IsPublishedAsync("leave"), Deadline, () => "published on the origin\n" + publisher.Errors);

        var first = FfmpegProcess.Play(Rtmp(Edge, "leave"));
        var second = new CountingFlvPlayer(Flv(Edge, "leave"));
        await Poll.AssertAsync(() => first.Frames >= 25 && second.Bytes > 50_000, Deadline, () => $"frames {first.Frames}\n{nodes.Output}");
        Assert.Single(await ClientsAsync(Origin, "leave", "rtmp-play"));

        // One player leaves: the pull stays.
        await first.DisposeAsync();
        await Poll.AssertAsync(async () => (await ClientsAsync(Edge, "leave", "rtmp-play")).Count == 0, Deadline, () => "first player gone");
        Assert.Single(await ClientsAsync(Origin, "leave", "rtmp-play"));

        // The last one leaves: the upstream client disappears from the origin, then the edge's stream after the idle timeout.
        await second.DisposeAsync();
        var left = DateTime.UtcNow;
        await Poll.AssertAsync(async () => (await ClientsAsync(Origin, "leave", "rtmp-play")).Count == 0, TimeSpan.FromSeconds(5),
            () => "upstream client gone from the origin\n" + nodes.Output);
        await Poll.AssertAsync(async () => await StreamAsync(Edge, "leave") is null, TimeSpan.FromSeconds(6),
            () => "edge stream passivated\n" + Edge.Output);
        log.WriteLine($"edge stream gone {(DateTime.UtcNow - left).TotalMilliseconds:F0} ms after the last player left (idle timeout 1 s)");
        Assert.True(await StreamAsync(Origin, "leave") is not null, "the origin keeps its published stream");
    }
}
