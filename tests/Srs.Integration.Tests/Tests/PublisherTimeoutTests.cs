using Srs.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace Srs.Integration.Tests.Tests;

/// <summary>
/// A publisher that stops sending (a stalled encoder, a half-open connection) is closed after
/// rtmp.publisher-timeout, and its stream is free for the next publisher.
/// </summary>
public sealed class PublisherTimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_silent_publisher_is_closed_after_the_publisher_timeout_and_the_stream_can_be_published_again()
    {
        await using var s = await Scenario.StartAsync(output, "srs.rtmp.publisher-timeout = 1500ms");

        using var raw = await RawRtmpConnection.ConnectAsync(s.Ports.Rtmp);
        await raw.HandshakeAsync(Step);
        await raw.ConnectAppAsync(s.Ports.Rtmp, "live", Step);
        var streamId = await raw.CreateStreamAsync(Step);
        var status = await raw.PublishAsync(streamId, "quiet", Step);
        s.Check(RawRtmpConnection.StatusCode(status) == "NetStream.Publish.Start", $"publish accepted, got {status}; seen: {raw.SeenMessages}");

        // Nothing more is sent: the server closes the connection once the timeout has passed, not before.
        var closedAfter = await raw.WaitForServerCloseAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"silent publisher closed {closedAfter?.TotalMilliseconds:F0} ms after publishing");
        s.Check(closedAfter is { } c && c >= TimeSpan.FromMilliseconds(1400) && c < TimeSpan.FromSeconds(6),
            $"closed 1.5 s after its last byte (allowing for a busy machine), was {closedAfter?.TotalMilliseconds:F0} ms");
        await s.Until(() => s.Node.Log.Contains("publisher silent for 1.5s"), Step, "the reason is logged");

        // The stream is free again: a real encoder publishes it and a player gets video.
        var encoder = s.Publish("quiet", name: "next publisher");
        var player = s.PlayRtmp("quiet", name: "player");
        await s.Until(() => player.VideoFrames >= FfmpegPublisher.Fps, TimeSpan.FromSeconds(15), "the next publisher's video plays");
        s.Check(!encoder.HasExited, "the next publisher goes on");
    }
}
