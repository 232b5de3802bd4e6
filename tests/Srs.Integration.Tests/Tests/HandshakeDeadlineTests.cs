using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// rtmp.handshake-timeout: a client must handshake, connect and publish or play within it, or it is
/// closed with the reason logged; a player, which sends nothing while it watches, is never closed by it.
/// </summary>
public sealed class HandshakeDeadlineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Clients_that_never_play_or_publish_are_closed_and_a_silent_player_stays()
    {
        await using var s = await Scenario.StartAsync(output, "srs.rtmp.handshake-timeout = 1s");

        // A player of a stream nobody publishes: it receives nothing and sends nothing from now on.
        using var player = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        await player.HandshakeAsync(Step);
        await player.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        var streamId = await player.CreateStreamAsync(Step);
        await player.SendAsync(RtmpChunks.Play(streamId, "nobody-publishes"));
        await s.Until(async () => (await s.Api.ClientsAsync()).Any(c => c.Type == ClientInfo.RtmpPlay), Step, "the API lists the player");

        // Opened after the player, so their deadlines come after the player's.
        using var silent = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        using var connectedOnly = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        await connectedOnly.HandshakeAsync(Step);
        await connectedOnly.ConnectAppAsync(s.Ports.Rtmp, "live", Step);

        var silentClosed = await silent.WaitForServerCloseAsync(TimeSpan.FromSeconds(10));
        var connectedClosed = await connectedOnly.WaitForServerCloseAsync(TimeSpan.FromSeconds(10));
        s.Check(silentClosed is not null, "a client that never handshakes is closed at the deadline");
        s.Check(connectedClosed is not null, "a client that connects but neither publishes nor plays is closed at the deadline");
        await s.Until(() => s.Node.Log.Contains("no handshake/connect/publish/play within 1s"), Step, "the reason is logged");

        // The player's deadline has passed too (it was scheduled first): it is still there.
        s.Check((await s.Api.ClientsAsync()).Any(c => c.Type == ClientInfo.RtmpPlay), "the silent player is still connected after its deadline");
        s.Check(await player.WaitForServerCloseAsync(TimeSpan.FromMilliseconds(200)) is null, "the player's connection is still open");
    }
}
