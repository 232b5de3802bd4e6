using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// Section 6: with no publisher and no player for source.idle-timeout (3 s in the test config),
/// the source goes away; publishing the same name later creates a fresh one that plays.
/// </summary>
public sealed class PassivationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_idle_source_goes_away_and_the_name_can_be_published_again()
    {
        await using var s = await Scenario.StartAsync(output);
        var first = s.Publish("brief", duration: TimeSpan.FromSeconds(2), name: "publisher (2 s)");
        await s.Until(async () => (await s.Api.FindStreamAsync("brief"))?.PublishActive == true,
            TimeSpan.FromSeconds(15), "the API shows live/brief published");
        await s.Until(() => first.HasExited, TimeSpan.FromSeconds(15), "the publisher ends (-t 2)");

        await s.Until(async () => await s.Api.FindStreamAsync("brief") is null, TimeSpan.FromSeconds(3 + 5),
            "the idle source is gone from /api/v1/streams within idle-timeout (3 s) + 5 s");
        // The log line names the class that logged it and carries the message alone (no second
        // timestamp, level, thread or actor path from Akka's own formatting).
        await s.Until(() => Task.FromResult(s.Node.Log.Contains("Srs.Actors.Sources.SourceActor[0] source __defaultVhost__/live/brief passivated")),
            TimeSpan.FromSeconds(5), "the node logs the passivation under the source's class");
        s.Check(!s.Node.Log.Contains("[INFO]["), "Akka's own log prefix should not appear in the node's log");

        s.Publish("brief", name: "publisher again");
        var player = s.PlayRtmp("brief", readSeconds: 2);
        s.Check(await player.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the player should read 2 s of the new publish and stop");
        s.Check(player.ExitCode == 0 && player.VideoFrames >= FfmpegPublisher.Fps,
            $"publishing the name again should play: exit {player.ExitCode}, {player.VideoFrames} video frames");
    }
}
