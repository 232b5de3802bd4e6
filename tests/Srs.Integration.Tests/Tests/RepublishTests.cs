using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>Section 6: a publisher that leaves keeps its players connected, waiting for a re-publish.</summary>
public sealed class RepublishTests(ITestOutputHelper output)
{
    private const int Fps = FfmpegPublisher.Fps;

    [Fact]
    public async Task Players_stay_through_a_republish_and_timestamps_stay_monotonic()
    {
        await using var s = await Scenario.StartAsync(output);
        var first = s.Publish("again", duration: TimeSpan.FromSeconds(5), name: "first publisher (5 s)");
        var rtmp = s.PlayRtmp("again", name: "rtmp player");
        var flv = s.PlayFlv("again", name: "flv player");
        await s.Until(() => rtmp.VideoFrames >= Fps && flv.VideoFrames >= Fps, TimeSpan.FromSeconds(15),
            "both players receive the first publisher's video");

        await s.Until(() => first.HasExited, TimeSpan.FromSeconds(15), "the first publisher ends (-t 5)");
        await s.Until(async () => (await s.Api.FindStreamAsync("again")) is { PublishActive: false },
            TimeSpan.FromSeconds(10), "the API shows live/again with no active publisher");
        s.Check(!rtmp.HasExited && !flv.HasExited, "players must stay connected when the publisher leaves");
        var (rtmpBefore, flvBefore) = (rtmp.VideoFrames, flv.VideoFrames);

        s.Publish("again", name: "second publisher");

        await s.Until(() => rtmp.VideoFrames >= rtmpBefore + 2 * Fps && flv.VideoFrames >= flvBefore + 2 * Fps,
            TimeSpan.FromSeconds(15), $"the same players receive {2 * Fps} more video frames from the second publisher");
        s.Check(!rtmp.HasExited && !flv.HasExited, "players must still be connected");
        s.Check(rtmp.TimestampViolations.Count == 0,
            "rtmp player: dts went backwards across the republish:\n" + string.Join("\n", rtmp.TimestampViolations.Take(10)));
        s.Check(flv.TimestampViolations.Count == 0,
            "flv player: dts went backwards across the republish:\n" + string.Join("\n", flv.TimestampViolations.Take(10)));
    }
}
