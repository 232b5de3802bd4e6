using Srs.Actors.Media;

namespace Srs.Actors.Tests;

public class MergeWindowTests
{
    /// <summary>25 fps video with AAC (23 ms frames) from 0 to 400 ms; per phase, the timestamps of the packets that flushed it.</summary>
    private static List<uint>[] Flushes(MergeWindow window)
    {
        var packets = new List<MediaPacket>();
        for (uint t = 0; t < 400; t++)
        {
            if (t % 40 == 0) packets.Add(t == 0 ? Packets.Keyframe(t) : Packets.Frame(t));
            if (t % 23 == 5) packets.Add(Packets.Audio(t));
        }
        var flushes = Enumerable.Range(0, window.Phases).Select(_ => new List<uint>()).ToArray();
        foreach (var p in packets)
        {
            var due = window.OnPacket(p, streamHasVideo: true);
            for (var phase = 0; phase < window.Phases; phase++)
                if ((due & (1 << phase)) != 0) flushes[phase].Add(p.Timestamp);
        }
        return flushes;
    }

    [Fact]
    public void NoLatency_FlushesEveryPhaseOnEveryVideoFrame_AudioRidesAlong()
    {
        var flushes = Flushes(new MergeWindow(TimeSpan.Zero));
        Assert.Equal(new uint[] { 0, 40, 80, 120, 160, 200, 240, 280, 320, 360 }, flushes[0]);
        Assert.Equal(flushes[0], flushes[1]);
    }

    [Fact]
    public void Latency80ms_OnePhase_FlushesEverySecondFrame()
    {
        Assert.Equal(new uint[] { 0, 80, 160, 240, 320 }, Flushes(new MergeWindow(TimeSpan.FromMilliseconds(80), phases: 1))[0]);
    }

    [Fact]
    public void Latency80ms_TwoPhases_EachFlushesEverySecondFrame_HalfAWindowApart()
    {
        var flushes = Flushes(new MergeWindow(TimeSpan.FromMilliseconds(80)));
        Assert.Equal(2, flushes.Length);
        // Both open on the first frame, then take turns: one write per 80 ms for every player.
        Assert.Equal(new uint[] { 0, 80, 160, 240, 320 }, flushes[0]);
        Assert.Equal(new uint[] { 0, 40, 120, 200, 280, 360 }, flushes[1]);
    }

    [Fact]
    public void Latency120ms_At30fps_EachPhaseKeepsTheWindow_NotRoundedUpToMoreFrames()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(120));
        var flushes = new[] { new List<uint>(), new List<uint>() };
        for (uint frame = 0; frame < 31; frame++)
        {
            var ts = frame * 100 / 3; // 0, 33, 66, 100, ...
            var due = w.OnPacket(frame == 0 ? Packets.Keyframe(ts) : Packets.Frame(ts), true);
            for (var phase = 0; phase < 2; phase++) if ((due & (1 << phase)) != 0) flushes[phase].Add(ts);
        }
        // Every 4th frame (133 ms) for each phase, as with one phase; the second phase two frames later.
        Assert.Equal(new uint[] { 0, 133, 266, 400, 533, 666, 800, 933 }, flushes[0]);
        Assert.Equal(new uint[] { 0, 66, 200, 333, 466, 600, 733, 866, 1000 }, flushes[1]);
    }

    [Fact]
    public void PhasesDueOnTheSameFrame_AfterAGap_AreFlushedTogether_ThenStaggeredAgain()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(80));
        Assert.Equal(0b11, w.OnPacket(Packets.Keyframe(0), true));
        Assert.Equal(0b10, w.OnPacket(Packets.Frame(40), true));
        Assert.Equal(0b01, w.OnPacket(Packets.Frame(80), true));
        // The encoder stalls for a second: both phases are due on the next frame.
        Assert.Equal(0b11, w.OnPacket(Packets.Frame(1080), true));
        Assert.Equal(0b10, w.OnPacket(Packets.Frame(1120), true));
        Assert.Equal(0b01, w.OnPacket(Packets.Frame(1160), true));
        Assert.Equal(0b10, w.OnPacket(Packets.Frame(1200), true));
    }

    [Fact]
    public void AudioOnly_FlushesOnAudio_HeadersWait()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(40), phases: 1);
        Assert.Equal(0, w.OnPacket(Packets.AudioHeader(0), streamHasVideo: false));
        Assert.Equal(1, w.OnPacket(Packets.Audio(0), streamHasVideo: false));
        Assert.Equal(0, w.OnPacket(Packets.Audio(23), streamHasVideo: false));
        Assert.Equal(1, w.OnPacket(Packets.Audio(46), streamHasVideo: false));
    }

    [Fact]
    public void TimestampsGoingBack_ANewPublish_FlushAtOnce()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(80));
        Assert.Equal(0b11, w.OnPacket(Packets.Keyframe(50_000), true));
        Assert.Equal(0b10, w.OnPacket(Packets.Frame(50_040), true));
        Assert.Equal(0b11, w.OnPacket(Packets.Keyframe(0, epoch: 2), true));
    }

    [Fact]
    public void Pending_IsOverdue_OnlyAfterLatencyAndSlack_OnTheWallClock()
    {
        var w = new MergeWindow(TimeSpan.FromMilliseconds(40));
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(w.IsOverdue(start + System.Diagnostics.Stopwatch.Frequency)); // nothing pending
        Assert.Equal(0b11, w.OnPacket(Packets.Keyframe(0), true));
        var before = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(0, w.OnPacket(Packets.Audio(5), true)); // pending from here
        Assert.Equal(0b10, w.OnPacket(Packets.Frame(20), true)); // one phase flushed, the other still waits
        var after = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(w.IsOverdue(before + System.Diagnostics.Stopwatch.Frequency * 139 / 1000));
        Assert.True(w.IsOverdue(after + System.Diagnostics.Stopwatch.Frequency * 141 / 1000));
        w.Flushed();
        Assert.False(w.IsOverdue(after + System.Diagnostics.Stopwatch.Frequency));
    }
}
