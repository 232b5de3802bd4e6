using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// Section 6: a second publisher on a stream that has one is refused (onStatus
/// NetStream.Publish.BadName) and closed; the first publisher is untouched.
/// </summary>
public sealed class SecondPublisherTests(ITestOutputHelper output, SharedNode shared) : IClassFixture<SharedNode>
{
    private const int Fps = FfmpegPublisher.Fps;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private static async Task<(FfmpegPublisher First, FfprobePlayer Player, string Cid)> PublishAndPlay(Scenario s, string stream)
    {
        var first = s.Publish(stream, name: "first publisher");
        var player = s.PlayRtmp(stream, name: "player");
        await s.Until(() => player.VideoFrames >= Fps, TimeSpan.FromSeconds(15), "the player receives the first publisher's video");
        var info = await s.Api.FindStreamAsync(stream);
        s.Check(info is { PublishActive: true, PublishCid: not null }, $"the API should show the stream published with a cid: {info}");
        return (first, player, info!.PublishCid!);
    }

    [Fact]
    public async Task Second_ffmpeg_publisher_is_refused_and_the_first_goes_on()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        var (first, player, cid) = await PublishAndPlay(s, "busy");

        var second = s.Publish("busy", duration: TimeSpan.FromSeconds(20), name: "second publisher");
        await s.Until(() => second.HasExited, TimeSpan.FromSeconds(10), "the second publisher is refused and ffmpeg exits");
        s.Check(second.ExitCode != 0, $"the refused ffmpeg should exit non-zero, exited {second.ExitCode}");

        var after = player.VideoFrames;
        await s.Until(() => player.VideoFrames >= after + 2 * Fps, TimeSpan.FromSeconds(10),
            $"the player keeps receiving ({2 * Fps} more frames) after the refusal");
        s.Check(!first.HasExited, "the first publisher must go on");
        var info = await s.Api.FindStreamAsync("busy");
        s.Check(info is { PublishActive: true } && info.PublishCid == cid,
            $"the API should still show the first publisher ({cid}) on the stream: {info}");
        s.Check(player.TimestampViolations.Count == 0, "dts went backwards:\n" + string.Join("\n", player.TimestampViolations.Take(10)));
    }

    [Fact]
    public async Task Second_publisher_gets_NetStream_Publish_BadName_and_is_closed()
    {
        await using var s = await Scenario.StartAsync(output, shared);
        var (first, player, cid) = await PublishAndPlay(s, "taken");

        using var raw = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        await raw.HandshakeAsync(Step);
        await raw.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        var streamId = await raw.CreateStreamAsync(Step);
        var status = await raw.PublishAsync(streamId, "taken", Step);

        s.Check(RawRtmpConnection.StatusCode(status) == "NetStream.Publish.BadName",
            $"expected onStatus NetStream.Publish.BadName, got {status}; seen: {raw.SeenMessages}");
        var closedAfter = await raw.WaitForServerCloseAsync(TimeSpan.FromSeconds(5));
        s.Check(closedAfter is not null, "the server should close the refused publisher's connection within 5 s");

        var after = player.VideoFrames;
        await s.Until(() => player.VideoFrames >= after + Fps, TimeSpan.FromSeconds(10), "the player keeps receiving after the refusal");
        s.Check(!first.HasExited, "the first publisher must go on");
        var info = await s.Api.FindStreamAsync("taken");
        s.Check(info is { PublishActive: true } && info.PublishCid == cid, $"the first publisher ({cid}) should still hold the stream: {info}");
    }
}
