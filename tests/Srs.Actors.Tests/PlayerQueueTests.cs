using Srs.Actors.Media;

namespace Srs.Actors.Tests;

public class PlayerQueueTests
{
    private static List<MediaPacket> Drain(PlayerQueue q)
    {
        var list = new List<MediaPacket>();
        q.DrainTo(ref list);
        return list;
    }

    [Fact]
    public void Drains_InOrder_AsOneBatch()
    {
        var q = new PlayerQueue(TimeSpan.FromSeconds(10));
        var packets = new[] { Packets.VideoHeader(), Packets.Keyframe(0), Packets.Audio(20), Packets.Frame(40) };
        foreach (var p in packets) q.Enqueue(p);
        Assert.Equal(packets, Drain(q));
        Assert.Empty(Drain(q));
    }

    [Fact]
    public void OverTheQueueLength_DropsToTheNextKeyframe_KeepingHeaders()
    {
        var q = new PlayerQueue(TimeSpan.FromMilliseconds(1000));
        var header = Packets.VideoHeader();
        q.Enqueue(header);
        q.Enqueue(Packets.Keyframe(0));
        for (uint ts = 40; ts <= 1000; ts += 40) q.Enqueue(Packets.Frame(ts));
        Assert.Equal(0, q.Dropped); // a span of exactly 1000 ms is still within the limit

        q.Enqueue(Packets.Frame(1040)); // 1040 ms queued: over the limit
        Assert.Equal(new[] { header }, Drain(q));

        // Until the next keyframe, inter frames are useless to the decoder: dropped too.
        q.Enqueue(Packets.Frame(1080));
        q.Enqueue(Packets.Audio(1090));
        Assert.Empty(Drain(q));
        var audioHeader = Packets.AudioHeader(1095);
        q.Enqueue(audioHeader); // headers always pass
        var key = Packets.Keyframe(1120);
        q.Enqueue(key);
        var next = Packets.Frame(1160);
        q.Enqueue(next);
        Assert.Equal(new[] { audioHeader, key, next }, Drain(q));
        Assert.Equal(29, q.Dropped); // keyframe + 26 frames at the overflow, then a frame and an audio packet
    }

    [Fact]
    public void HeadersPublishedLongAgo_AreNotQueuedTime()
    {
        // A player joining a stream that has run for a minute: metadata and sequence headers (published at 0),
        // then the GOP cache (at 60 s). The whole GOP must go out, not be dropped for a 60 s "span".
        var q = new PlayerQueue(TimeSpan.FromSeconds(10));
        var packets = new[] { Packets.VideoHeader(0), Packets.AudioHeader(0), Packets.Keyframe(60_000), Packets.Audio(60_020), Packets.Frame(60_040) };
        foreach (var p in packets) q.Enqueue(p);
        Assert.Equal(packets, Drain(q));
        Assert.Equal(0, q.Dropped);
    }

    [Fact]
    public void DrainTo_WithAByteLimit_TakesTheOldestThatFit_AndAlwaysOne()
    {
        var q = new PlayerQueue(TimeSpan.FromSeconds(10));
        var packets = new[] { Packets.Keyframe(0), Packets.Audio(20), Packets.Frame(40) }; // 6, 3 and 6 bytes
        foreach (var p in packets) q.Enqueue(p);
        var batch = new List<MediaPacket>();
        q.DrainTo(ref batch, maxBytes: 9);
        Assert.Equal(packets[..2], batch);
        batch.Clear();
        q.DrainTo(ref batch, maxBytes: 1); // larger than the limit, but a batch always makes progress
        Assert.Equal(packets[2..], batch);
    }

    [Fact]
    public void PacketCountLimit_HoldsEvenWhenTimestampsDoNotAdvance()
    {
        var q = new PlayerQueue(TimeSpan.FromSeconds(10), maxPackets: 100);
        q.Enqueue(Packets.Keyframe(0));
        for (var i = 0; i < 500; i++) q.Enqueue(Packets.Frame(0));
        Assert.True(Drain(q).Count <= 101);
    }
}
