using Srs.Testing;
using Xunit.Abstractions;
using static Srs.Testing.NodeHarness;

namespace Srs.Cluster.Tests;

/// <summary>Edges that find origins through the cluster directory (srs.edge.origins empty).</summary>
public class EdgeThroughClusterTests(ITestOutputHelper log)
{
    private const string Conf = "source.idle-timeout = 1s";

    [Fact]
    public async Task Edge_players_pull_once_from_the_origin_holding_the_stream_over_rtmp_and_http_flv()
    {
        await using var cluster = await TestCluster.StartAsync(log, Conf, "origin", "origin", "edge");
        var (a, b, edge) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using var publisher = FfmpegProcess.Publish(Rtmp(b, "cam"), TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => b.IsPublishedAsync("cam"), TimeSpan.FromSeconds(20), () => "published on B\n" + publisher.Errors);

        await using var p1 = FfmpegProcess.Play(Rtmp(edge, "cam"));
        await using var p2 = FfmpegProcess.Play(Rtmp(edge, "cam"));
        await using var p3 = FfmpegProcess.Play(Rtmp(edge, "cam"));
        await using var flv = new CountingFlvPlayer(Flv(edge, "cam"));
        await Poll.AssertAsync(() => p1.Frames > 25 && p2.Frames > 25 && p3.Frames > 25 && flv.Bytes > 50_000, TimeSpan.FromSeconds(30),
            () => $"edge players receiving: {p1.Frames}/{p2.Frames}/{p3.Frames} frames, flv {flv.Bytes} bytes\n{edge.Output}");

        // Four players on the edge, one upstream pull, from B (which holds the stream), none from A.
        Assert.Single(await ClientsAsync(b, "cam", "rtmp-play"));
        Assert.Empty(await ClientsAsync(a, "cam", "rtmp-play"));
        Assert.Equal("aac,h264", await ProbeCodecsAsync(Rtmp(edge, "cam"), TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Published_on_the_edge_it_lands_on_an_origin_the_directory_shows_and_plays_there()
    {
        await using var cluster = await TestCluster.StartAsync(log, Conf, "origin", "origin", "edge");
        var edge = cluster.Nodes[2];
        await using var publisher = FfmpegProcess.Publish(Rtmp(edge, "fwd"), TimeSpan.FromSeconds(60));

        var holder = await HolderAsync(cluster, edge, "fwd");

        await using var player = FfmpegProcess.Play(Rtmp(holder, "fwd"));
        await Poll.AssertAsync(() => player.Frames > 25, TimeSpan.FromSeconds(20), () => "played on the origin\n" + player.Errors);
        Assert.Single(await ClientsAsync(holder, "fwd", "fmle-publish"));
    }

    [Fact]
    public async Task When_the_origin_is_killed_and_the_encoder_republishes_to_the_other_the_edge_player_gets_media_again_within_10s()
    {
        await using var cluster = await TestCluster.StartAsync(log, Conf, "origin", "origin", "edge");
        var (a, b, edge) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using (var first = FfmpegProcess.Publish(Rtmp(b, "fo"), TimeSpan.FromSeconds(60)))
        {
            await using var player = FfmpegProcess.Play(Rtmp(edge, "fo"));
            await Poll.AssertAsync(() => player.Frames > 25, TimeSpan.FromSeconds(30), () => "edge player receiving\n" + edge.Output);

            b.Signal(Posix.SIGKILL);
            await b.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await using var second = FfmpegProcess.Publish(Rtmp(a, "fo"), TimeSpan.FromSeconds(60));
            await Poll.AssertAsync(() => a.IsPublishedAsync("fo"), TimeSpan.FromSeconds(20), () => "republished on A\n" + second.Errors);
            var framesAtRepublish = player.Frames;
            var republished = DateTime.UtcNow;

            await Poll.AssertAsync(() => player.Frames > framesAtRepublish + 25, TimeSpan.FromSeconds(10),
                () => $"edge player on its first connection gets media again: {framesAtRepublish} -> {player.Frames}\n{edge.Output}");
            log.WriteLine($"media again {(DateTime.UtcNow - republished).TotalMilliseconds:F0} ms after the republish");
            Assert.False(player.HasExited);
            Assert.Single(await ClientsAsync(a, "fo", "rtmp-play"));

            // The split-brain resolver downs the killed node and the cluster removes it, with no
            // operator; the survivors (two of three) stay up.
            await Poll.AssertAsync(async () => (await cluster.MembersAsync(edge)) is { Count: 2 } m && m.All(x => x.Status == "Up"),
                TimeSpan.FromSeconds(40), () => "killed origin downed and removed\n" + edge.Output);
        }
    }

    [Fact]
    public async Task A_pull_started_while_an_origin_drains_goes_to_the_other_origin()
    {
        await using var cluster = await TestCluster.StartAsync(log, Conf + "\ngrace-start-wait = 20s", "origin", "origin", "edge");
        var (a, b, edge) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        // The same stream on both origins (e.g. a redundant encoder); B is then told to quit.
        await using var onA = FfmpegProcess.Publish(Rtmp(a, "dr"), TimeSpan.FromSeconds(60));
        await using var onB = FfmpegProcess.Publish(Rtmp(b, "dr"), TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(async () => await a.IsPublishedAsync("dr") && await b.IsPublishedAsync("dr"), TimeSpan.FromSeconds(20), () => "published on both");

        b.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(async () => (await cluster.MembersAsync(edge))?.Any(m => m.Address == cluster.Addresses[b] && m.Draining) == true,
            TimeSpan.FromSeconds(10), () => "edge sees B draining\n" + b.Output);

        await using var player = FfmpegProcess.Play(Rtmp(edge, "dr"));
        await Poll.AssertAsync(() => player.Frames > 25, TimeSpan.FromSeconds(30), () => "edge player receiving\n" + edge.Output);
        Assert.Single(await ClientsAsync(a, "dr", "rtmp-play"));
        Assert.Empty(await ClientsAsync(b, "dr", "rtmp-play"));
    }

    [Fact]
    public async Task When_its_origin_quits_the_edge_forward_moves_to_the_other_origin_and_the_origin_exits()
    {
        await using var cluster = await TestCluster.StartAsync(log, Conf + "\ngrace-start-wait = 300ms\ngrace-final-wait = 500ms", "origin", "origin", "edge");
        var edge = cluster.Nodes[2];
        await using var publisher = FfmpegProcess.Publish(Rtmp(edge, "mv"), TimeSpan.FromSeconds(60));
        var holder = await HolderAsync(cluster, edge, "mv");
        var other = cluster.Nodes.Take(2).Single(n => n != holder);

        // The origin quits: it asks the edge's forward (which advertised the capability) to reconnect,
        // and the forward moves to the origin the directory chooses, at a keyframe, without a break.
        holder.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => other.IsPublishedAsync("mv"), TimeSpan.FromSeconds(20),
            () => $"the forward moved\n--- holder ---\n{holder.Output}\n--- edge ---\n{edge.Output}");
        Assert.Contains("asked to reconnect (NetConnection.Connect.ReconnectRequest)", holder.Output);
        Assert.Contains("asked to reconnect, moving to origin", edge.Output);
        Assert.DoesNotContain("edge forward of __defaultVhost__/live/mv to", edge.Output); // the session never ended
        Assert.True((await holder.WaitForExitAsync(TimeSpan.FromSeconds(20))).HasValue, "the quitting origin has nothing left to wait for\n" + holder.Output);

        await using var player = FfmpegProcess.Play(Rtmp(other, "mv"));
        await Poll.AssertAsync(() => player.Frames > 25, TimeSpan.FromSeconds(20), () => "played on the other origin\n" + player.Errors);
    }

    /// <summary>The origin (of the cluster's first two nodes) that the edge's directory says holds <paramref name="stream"/>, once it does.</summary>
    private static async Task<NodeProcess> HolderAsync(TestCluster cluster, NodeProcess edge, string stream)
    {
        NodeProcess? holder = null;
        await Poll.AssertAsync(async () =>
        {
            var address = (await TestCluster.OriginsAsync(edge, stream))?.FirstOrDefault();
            holder = cluster.Nodes.Take(2).FirstOrDefault(n => cluster.Addresses[n] == address);
            return holder is not null;
        }, TimeSpan.FromSeconds(20), () => $"an origin holds the forwarded stream {stream}\n" + edge.Output);
        return holder!;
    }
}
