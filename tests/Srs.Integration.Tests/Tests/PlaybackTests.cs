using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>Publish a generated H.264+AAC stream and play it back over RTMP and HTTP-FLV (sections 6 and 7).</summary>
public sealed class PlaybackTests(ITestOutputHelper output, SharedNode shared) : IClassFixture<SharedNode>
{
    private const int Fps = FfmpegPublisher.Fps;
    private const double AudioPacketsPerSecond = 44100.0 / 1024;

    [Fact]
    public Task Rtmp_player_gets_h264_and_aac_with_monotonic_timestamps() => PlayPublishedStream(rtmp: true);

    [Fact]
    public Task Http_flv_player_gets_h264_and_aac_with_monotonic_timestamps() => PlayPublishedStream(rtmp: false);

    private async Task PlayPublishedStream(bool rtmp)
    {
        await using var s = await Scenario.StartAsync(output, shared);
        var stream = rtmp ? "demo-rtmp" : "demo-flv";
        s.Publish(stream);
        await s.Until(async () => (await s.Api.FindStreamAsync(stream))?.PublishActive == true,
            TimeSpan.FromSeconds(15), $"the API shows live/{stream} published");

        const double seconds = 4;
        var player = rtmp ? s.PlayRtmp(stream, readSeconds: seconds) : s.PlayFlv(stream, readSeconds: seconds);
        var ended = await player.WaitForExitAsync(TimeSpan.FromSeconds(15));

        s.Check(ended, $"the player should read {seconds} s of media and stop by itself within 15 s");
        s.Check(player.ExitCode == 0, $"ffprobe should exit 0, exited {player.ExitCode}");
        s.Check(player.CodecNames("video").SequenceEqual(["h264"]), $"one h264 video stream expected, got [{string.Join(", ", player.CodecNames("video"))}]");
        s.Check(player.CodecNames("audio").SequenceEqual(["aac"]), $"one aac audio stream expected, got [{string.Join(", ", player.CodecNames("audio"))}]");
        var video = player.Streams.Values.Single(v => v.GetValueOrDefault("codec_type") == "video");
        s.Check(video.GetValueOrDefault("width") == "320" && video.GetValueOrDefault("height") == "240",
            $"video should be 320x240, got {video.GetValueOrDefault("width")}x{video.GetValueOrDefault("height")}");
        s.Check(player.VideoFrames >= 2 * Fps, $"at least 2 s of video ({2 * Fps} frames) expected, got {player.VideoFrames}");
        s.Check(player.AudioFrames >= 2 * AudioPacketsPerSecond, $"at least 2 s of audio ({2 * AudioPacketsPerSecond:0} packets) expected, got {player.AudioFrames}");
        s.Check(player.TimestampViolations.Count == 0, "dts must not go backwards within a stream:\n" + string.Join("\n", player.TimestampViolations.Take(10)));
        var firstVideo = player.Packets.First(p => p.IsVideo);
        s.Check(firstVideo.Key, $"with the GOP cache a player starts at a keyframe; the first video packet was {firstVideo}");
    }

    [Fact]
    public async Task Players_that_arrive_before_the_publisher_wait_and_then_get_media()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        var rtmpPlayer = s.PlayRtmp("early", name: "early rtmp player");
        var flvPlayer = s.PlayFlv("early", name: "early flv player");
        await s.Until(async () =>
        {
            var clients = await s.Api.ClientsOfAsync("early");
            return clients.Any(c => c.Type == ClientInfo.RtmpPlay) && clients.Any(c => c.Type == ClientInfo.FlvPlay);
        }, TimeSpan.FromSeconds(15), "the API lists the waiting rtmp-play and flv-play clients");
        s.Check(!rtmpPlayer.HasExited && !flvPlayer.HasExited, "players of a stream not yet published must wait, not be closed");
        s.Check(rtmpPlayer.VideoFrames == 0 && flvPlayer.VideoFrames == 0, "nothing is published yet, so no frames can have arrived");

        s.Publish("early");

        await s.Until(() => rtmpPlayer.VideoFrames >= 2 * Fps && flvPlayer.VideoFrames >= 2 * Fps,
            TimeSpan.FromSeconds(15), $"both waiting players receive at least {2 * Fps} video frames once published");
        s.Check(rtmpPlayer.TimestampViolations.Count == 0 && flvPlayer.TimestampViolations.Count == 0,
            "dts must not go backwards within a stream");
        s.Check(rtmpPlayer.AudioFrames > 0 && flvPlayer.AudioFrames > 0, "the players should get audio as well");
    }
}
