using Srs.Actors.Media;

namespace Srs.Actors.Tests;

public class TimestampRebaserTests
{
    [Fact]
    public void FirstPublish_KeepsTimestamps()
    {
        var r = new TimestampRebaser();
        Assert.Equal(5000u, r.Rebase(Packets.Keyframe(5000)));
        Assert.Equal(5040u, r.Rebase(Packets.Frame(5040)));
    }

    [Fact]
    public void Republish_ContinuesWhereThePlayerWas()
    {
        var r = new TimestampRebaser();
        r.Rebase(Packets.Keyframe(0, epoch: 1));
        Assert.Equal(8000u, r.Rebase(Packets.Frame(8000, epoch: 1)));

        // The new publisher starts again at 0: the player goes on from 8000.
        Assert.Equal(8000u, r.Rebase(Packets.VideoHeader(0, epoch: 2)));
        Assert.Equal(8000u, r.Rebase(Packets.Keyframe(0, epoch: 2)));
        Assert.Equal(8040u, r.Rebase(Packets.Frame(40, epoch: 2)));
    }
}
