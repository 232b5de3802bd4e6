using Srs.Actors.Media;

namespace Srs.Actors.Tests;

public class MergeWindowTests
{
    /// <summary>25 fps video with AAC (23 ms frames) from 0 to 400 ms; the timestamps of the packets that flushed.</summary>
    private static List<uint> Flushes(MergeWindow window)
    {
        var packets = new List<MediaPacket>();
        for (uint t = 0; t < 400; t++)
        {
            if (t % 40 == 0) packets.Add(t == 0 ? Packets.Keyframe(t) : Packets.Frame(t));
            if (t % 23 == 5) packets.Add(Packets.Audio(t));
        }
        return packets.Where(p => window.OnPacket(p, streamHasVideo: true)).Select(p => p.Timestamp).ToList();
    }

    [Fact]
    public void NoLatency_FlushesOnEveryVideoFrame_AudioRidesAlong()
    {
        Assert.Equal(new uint[] { 0, 40, 80, 120, 160, 200, 240, 280, 320, 360 }, Flushes(new MergeWindow(TimeSpan.Zero)));
    }

    [Fact]
    public void Latency80ms_FlushesEverySecondFrame()
    {
        Assert.Equal(new uint[] { 0, 80, 160, 240, 320 }, Flushes(new MergeWindow(TimeSpan.FromMilliseconds(80))));
    }

    [Fact]
    public void AudioOnly_FlushesOnAudio_HeadersWait()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(40));
        Assert.False(w.OnPacket(Packets.AudioHeader(0), streamHasVideo: false));
        Assert.True(w.OnPacket(Packets.Audio(0), streamHasVideo: false));
        Assert.False(w.OnPacket(Packets.Audio(23), streamHasVideo: false));
        Assert.True(w.OnPacket(Packets.Audio(46), streamHasVideo: false));
    }

    [Fact]
    public void TimestampsGoingBack_ANewPublish_FlushAtOnce()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(80));
        Assert.True(w.OnPacket(Packets.Keyframe(50_000), true));
        Assert.False(w.OnPacket(Packets.Frame(50_040), true));
        Assert.True(w.OnPacket(Packets.Keyframe(0, epoch: 2), true));
    }

    [Fact]
    public void Pending_IsOverdue_OnlyAfterLatencyAndSlack_OnTheWallClock()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(40));
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(w.IsOverdue(start + System.Diagnostics.Stopwatch.Frequency)); // nothing pending
        Assert.True(w.OnPacket(Packets.Keyframe(0), true));
        var before = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(w.OnPacket(Packets.Audio(5), true)); // pending from here
        var after = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(w.IsOverdue(before + System.Diagnostics.Stopwatch.Frequency * 139 / 1000));
        Assert.True(w.IsOverdue(after + System.Diagnostics.Stopwatch.Frequency * 141 / 1000));
        w.Flushed();
        Assert.False(w.IsOverdue(after + System.Diagnostics.Stopwatch.Frequency));
    }
}
