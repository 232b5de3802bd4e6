using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// 50 players on one stream (40 RTMP, 10 HTTP-FLV; ffprobe without decoding keeps it light) all
/// receive: with the defaults (one merge phase), and with the players split over two staggered
/// phases (a phase opens every 10 players), where each phase is flushed on its own frames.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ManyPlayersTests(ITestOutputHelper output)
{
    private const int Fps = FfmpegPublisher.Fps;

    [Theory]
    [InlineData(null)]
    [InlineData("srs.mw-phase-players = 10")]
    public async Task Fifty_players_on_one_stream_all_receive(string? extraConfig)
    {
        await using var s = await Scenario.StartAsync(output, extraConfig);
        s.Publish("crowd");
        await s.Until(async () => (await s.Api.FindStreamAsync("crowd"))?.PublishActive == true,
            TimeSpan.FromSeconds(15), "the API shows live/crowd published");

        var players = Enumerable.Range(1, 50)
            .Select(i => i <= 40 ? s.PlayRtmp("crowd", name: $"rtmp player {i}") : s.PlayFlv("crowd", name: $"flv player {i}"))
            .ToList();

        await s.Until(() => players.All(p => p.VideoFrames >= 2 * Fps), TimeSpan.FromSeconds(40),
            $"all 50 players receive {2 * Fps} video frames");
        var behind = players.Where(p => p.HasExited).Select(p => p.Process.Name).ToList();
        s.Check(behind.Count == 0, "players closed: " + string.Join(", ", behind));
        var regressions = players.Where(p => p.TimestampViolations.Count > 0).Select(p => $"{p.Process.Name}: {p.TimestampViolations[0]}").ToList();
        s.Check(regressions.Count == 0, "dts went backwards:\n" + string.Join("\n", regressions.Take(10)));
        var stream = await s.Api.FindStreamAsync("crowd");
        s.Check(stream is not null && stream.Clients >= 50, $"the API should count at least the 50 players: {stream}");
    }
}
