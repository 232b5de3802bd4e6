using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// Section 6: players that never read (raw TCP with a tiny receive buffer: an RTMP handshake,
/// connect, createStream, play; and an HTTP-FLV GET) must not slow the publisher or the other players.
/// </summary>
public sealed class SlowPlayerTests(ITestOutputHelper output)
{
    private const int Fps = FfmpegPublisher.Fps;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_never_reading_player_does_not_disturb_the_others()
    {
        await using var s = await Scenario.StartAsync(output);
        var publisher = s.Publish("stuck");
        var good = s.PlayRtmp("stuck", name: "good rtmp player");
        var goodFlv = s.PlayFlv("stuck", name: "good flv player");
        await s.Until(() => good.VideoFrames >= Fps && goodFlv.VideoFrames >= Fps, TimeSpan.FromSeconds(15), "the good players receive video");

        using var stuck = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp, receiveBufferSize: 4096);
        await stuck.HandshakeAsync(Step);
        await stuck.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        var streamId = await stuck.CreateStreamAsync(Step);
        await stuck.SendAsync([.. RtmpChunks.SetBufferLength(streamId, 1000), .. RtmpChunks.Play(streamId, "stuck")]);
        // From here on the client never reads. The server fills its receive buffer with media:
        // proof that it really is a player of the stream.
        await s.Until(() => stuck.Available >= 2000, Step, "the server pushes media into the never-reading player's socket");
        // The same over HTTP-FLV, whose media also goes straight to the socket once the request is taken over.
        using var stuckFlv = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stuckFlv.ConnectAsync(System.Net.IPAddress.Loopback, s.Ports.HttpServer);
        await stuckFlv.SendAsync(System.Text.Encoding.ASCII.GetBytes($"GET /live/stuck.flv HTTP/1.1\r\nHost: 127.0.0.1:{s.Ports.HttpServer}\r\n\r\n"));
        await s.Until(() => stuckFlv.Available >= 2000, Step, "the server pushes media into the never-reading HTTP-FLV player's socket");

        var apiBefore = (await s.Api.FindStreamAsync("stuck"))!.Frames;
        var from = good.Elapsed;
        var (rtmpBefore, flvBefore) = (good.VideoFramesSince(from), goodFlv.VideoFramesSince(from));
        // A measurement window, not a synchronisation: the rates are measured over 10 s.
        await s.Until(() => good.Elapsed >= from + Window, Window + TimeSpan.FromSeconds(1), "the 10 s measurement window passes");
        var to = good.Elapsed;
        var apiAfter = (await s.Api.FindStreamAsync("stuck"))!.Frames;

        var minFrames = (int)(0.8 * Fps * Window.TotalSeconds);
        var rtmpFrames = good.VideoFramesSince(from) - rtmpBefore;
        var flvFrames = goodFlv.VideoFramesSince(from) - flvBefore;
        s.Check(!publisher.HasExited, "the publisher must go on");
        s.Check(apiAfter - apiBefore >= minFrames, $"the publisher should not be slowed: {apiAfter - apiBefore} frames published in {Window.TotalSeconds} s (API frames), expected >= {minFrames}");
        s.Check(rtmpFrames >= minFrames, $"the good RTMP player got {rtmpFrames} video frames in {Window.TotalSeconds} s, expected >= {minFrames}");
        s.Check(flvFrames >= minFrames, $"the good HTTP-FLV player got {flvFrames} video frames in {Window.TotalSeconds} s, expected >= {minFrames}");
        var rtmpGap = good.LongestVideoGap(from, to);
        var flvGap = goodFlv.LongestVideoGap(from, to);
        s.Check(rtmpGap < TimeSpan.FromSeconds(1.5) && flvGap < TimeSpan.FromSeconds(1.5),
            $"the good players should never stall: longest video gap rtmp {rtmpGap.TotalSeconds:0.00} s, flv {flvGap.TotalSeconds:0.00} s");
        s.Check(good.TimestampViolations.Count == 0 && goodFlv.TimestampViolations.Count == 0, "dts went backwards for a good player");
    }
}
