using System.Diagnostics;
using Srs.Actors.Cluster;
using Srs.Actors.Streams;
using Srs.Protocol.Rtmp;
using Srs.Testing;
using Xunit.Abstractions;
using static Srs.Testing.NodeHarness;

namespace Srs.Edge.Tests;

/// <summary>Two origins and an edge with edge.origins = [A, B]: the origin being pulled from dies, the encoder moves on.</summary>
public class StaticFailoverTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Origin_A_killed_and_the_encoder_republished_to_B_the_edge_player_gets_media_again_on_its_first_connection()
    {
        var nodes = await StartNodesAsync(p => ["", "", EdgeConf(p[0][0], p[1][0])], 3);
        await using var n0 = nodes[0];
        await using var n1 = nodes[1];
        await using var edge = nodes[2];

        // "A" is the origin the edge tries first for this stream (rendezvous order of the static list).
        const string stream = "failover";
        var ranked = StaticOriginDirectory.Rank(new StreamKey(StreamKey.DefaultVhost, "live", stream),
            [StaticOriginDirectory.Parse($"127.0.0.1:{n0.RtmpPort}"), StaticOriginDirectory.Parse($"127.0.0.1:{n1.RtmpPort}")]);
        var (a, b) = ranked[0].Port == n0.RtmpPort ? (n0, n1) : (n1, n0);
        string Output() => $"--- A ---\n{a.Output}\n--- B ---\n{b.Output}\n--- edge ---\n{edge.Output}";

        await using var encoderOnA = FfmpegProcess.Publish(Rtmp(a, stream), TimeSpan.FromMinutes(2));
        await Poll.AssertAsync(() => a.IsPublishedAsync(stream), Deadline, () => "published on A\n" + encoderOnA.Errors);

        await using var player = FfmpegProcess.Play(Rtmp(edge, stream));
        await using var recorder = await RecordingPlayer.PlayAsync(edge.RtmpPort, "live", stream);
        await Poll.AssertAsync(() => player.Frames >= 50, Deadline, () => $"frames before the kill: {player.Frames}\n{player.Errors}\n{Output()}");
        var edgePlayers = (await ClientsAsync(edge, stream, "rtmp-play")).Select(c => c.Id).Order().ToArray();
        Assert.Equal(2, edgePlayers.Length);

        // A dies without a word; the encoder reconnects to B.
        a.Signal(Posix.SIGKILL);
        Assert.NotNull(await a.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        var killedAt = DateTime.UtcNow;
        await encoderOnA.DisposeAsync();
        var framesAtKill = player.Frames;
        await using var encoderOnB = FfmpegProcess.Publish(Rtmp(b, stream), TimeSpan.FromMinutes(2));
        var republished = Stopwatch.StartNew();

        await Poll.AssertAsync(() => player.Frames >= framesAtKill + 25, TimeSpan.FromSeconds(10),
            () => $"frames {player.Frames} (at the kill {framesAtKill}), player exited: {player.HasExited}\n{player.Errors}\n{encoderOnB.Errors}\n{Output()}");
        log.WriteLine($"the edge player got 25 new frames {republished.ElapsedMilliseconds} ms after the encoder restarted on B");

        // The same player processes, on the same connections.
        Assert.False(player.HasExited, player.Errors);
        Assert.False(recorder.Completion.IsCompleted, "the recording player's connection ended");
        Assert.Equal(edgePlayers, (await ClientsAsync(edge, stream, "rtmp-play")).Select(c => c.Id).Order().ToArray());
        Assert.Single(await ClientsAsync(b, stream, "rtmp-play")); // the edge's pull, now from B

        // What the player saw: timestamps never went back, and after the gap the new sequence headers came before any new media.
        await Poll.AssertAsync(() => recorder.Messages.Count(m => m.At > killedAt && m.Type == RtmpMessageType.Video) >= 25, Deadline, () => "recorder media after failover");
        var messages = recorder.Messages.ToArray();
        foreach (var type in new[] { RtmpMessageType.Video, RtmpMessageType.Audio })
        {
            var ts = messages.Where(m => m.Type == type).Select(m => m.Timestamp).ToArray();
            var back = ts.Zip(ts.Skip(1)).Where(p => p.Second < p.First).ToArray();
            Assert.True(back.Length == 0, $"type {type}: timestamps went back: {string.Join(", ", back.Take(5))}");
        }
        // "After" is after the failover's gap in what the player received: the longest pause between
        // the kill and B's video sequence header. Not after the kill itself: the edge's last merged
        // write of A's media can reach the player a few milliseconds after the kill returned. Not the
        // longest pause overall: on a loaded machine B's encoder can pause longer between its sequence
        // headers and its first frame. Should B's media come before its headers, the pause ends there.
        var header = messages.FirstOrDefault(m => m.At > killedAt && m.Type == RtmpMessageType.Video && m.IsSequenceHeader);
        Assert.True(header is not null, "no AVC sequence header reached the player after the failover");
        var gap = messages.Zip(messages.Skip(1)).Where(p => p.Second.At > killedAt && p.Second.At <= header.At).MaxBy(p => p.Second.At - p.First.At);
        var after = messages.Where(m => m.At >= gap.Second.At).ToArray();
        var seen = string.Join(", ", messages.Where(m => m.At >= gap.First.At).Take(8)
            .Select(m => $"+{(m.At - killedAt).TotalMilliseconds:F0}ms {(m.Type == RtmpMessageType.Video ? "video" : m.Type == RtmpMessageType.Audio ? "audio" : $"type {m.Type}")}{(m.IsSequenceHeader ? " header" : "")}"));
        var firstVideo = after.First(m => m.Type == RtmpMessageType.Video);
        var firstAudio = after.First(m => m.Type == RtmpMessageType.Audio);
        Assert.True(firstVideo.IsSequenceHeader, "the first video after the failover is the AVC sequence header; received from the gap on: " + seen);
        Assert.True(firstAudio.IsSequenceHeader, "the first audio after the failover is the AAC sequence header; received from the gap on: " + seen);
        log.WriteLine($"timestamps: last before the kill {messages.Where(m => m.At <= killedAt && m.Type == RtmpMessageType.Video).Max(m => m.Timestamp)}, " +
                      $"first after {firstVideo.Timestamp}");
    }
    [Fact]
    public async Task A_stream_only_on_the_origin_ranked_second_is_found_once_the_first_stays_silent()
    {
        var nodes = await StartNodesAsync(p => ["", "", EdgeConf(p[0][0], p[1][0])], 3);
        await using var n0 = nodes[0];
        await using var n1 = nodes[1];
        await using var edge = nodes[2];

        const string stream = "second";
        var ranked = StaticOriginDirectory.Rank(new StreamKey(StreamKey.DefaultVhost, "live", stream),
            [StaticOriginDirectory.Parse($"127.0.0.1:{n0.RtmpPort}"), StaticOriginDirectory.Parse($"127.0.0.1:{n1.RtmpPort}")]);
        var (first, second) = ranked[0].Port == n0.RtmpPort ? (n0, n1) : (n1, n0);

        await using var encoder = FfmpegProcess.Publish(Rtmp(second, stream), TimeSpan.FromMinutes(1));
        await Poll.AssertAsync(() => second.IsPublishedAsync(stream), Deadline, () => "published\n" + encoder.Errors);

        // The edge tries the first origin, which has nothing to send; after the silence timeout it moves on.
        var started = Stopwatch.StartNew();
        await using var player = FfmpegProcess.Play(Rtmp(edge, stream));
        await Poll.AssertAsync(async () => (await ClientsAsync(first, stream, "rtmp-play")).Count == 1, Deadline, () => "pull on the first origin\n" + edge.Output);
        await Poll.AssertAsync(() => player.Frames >= 25, EdgePullSilence + Deadline,
            () => $"frames {player.Frames}\n{player.Errors}\n{edge.Output}");
        log.WriteLine($"media {started.ElapsedMilliseconds} ms after the player started (silence timeout {EdgePullSilence.TotalSeconds:F0} s)");
        Assert.Single(await ClientsAsync(second, stream, "rtmp-play"));
        await Poll.AssertAsync(async () => (await ClientsAsync(first, stream, "rtmp-play")).Count == 0, Deadline, () => "pull left the first origin");
    }

    private static readonly TimeSpan EdgePullSilence = Srs.Actors.Edge.EdgePuller.SilenceTimeout;
}
