using Srs.Actors.Stats;
using Srs.Actors.Streams;

namespace Srs.Actors.Tests.Stats;

public class StreamStatsTests
{
    private sealed class Counter : IByteCounter
    {
        public long BytesSent { get; set; }
    }

    private static (ClientStats Client, Counter Media) Player(string id, long before = 0)
    {
        var client = new ClientStats(id, "127.0.0.1:1935");
        client.AddBytesOut(before);
        var media = new Counter();
        client.CountMediaBytesOut(media);
        return (client, media);
    }

    private static StreamStats Stream() => new("vid-1", new StreamKey(StreamKey.DefaultVhost, "live", "s"));

    [Fact]
    public void Send_bytes_sum_the_players_counters_from_their_join()
    {
        var stream = Stream();
        var (a, aMedia) = Player("1", before: 3000);
        var (b, bMedia) = Player("2");
        stream.PlayerJoined(a);
        stream.PlayerJoined(b);
        aMedia.BytesSent = 1000;
        bMedia.BytesSent = 500;
        Assert.Equal(1500, stream.SendBytes);
    }

    [Fact]
    public void A_player_that_leaves_stays_counted_and_its_later_bytes_do_not()
    {
        var stream = Stream();
        var (a, aMedia) = Player("1");
        var (b, bMedia) = Player("2");
        stream.PlayerJoined(a);
        stream.PlayerJoined(b);
        aMedia.BytesSent = 1000;
        bMedia.BytesSent = 200;
        stream.PlayerLeft("1");
        aMedia.BytesSent = 5000; // another stream's, say
        bMedia.BytesSent = 300;
        Assert.Equal(1300, stream.SendBytes);
        stream.PlayerLeft("1"); // twice: no effect
        Assert.Equal(1300, stream.SendBytes);
    }

    [Fact]
    public void A_player_that_plays_again_is_counted_from_its_new_join()
    {
        var stream = Stream();
        var (a, aMedia) = Player("1");
        stream.PlayerJoined(a);
        aMedia.BytesSent = 1000;
        stream.PlayerJoined(a);
        aMedia.BytesSent = 1500;
        Assert.Equal(1500, stream.SendBytes);
    }

    [Fact]
    public void Send_bytes_never_drop_when_a_players_counter_restarts()
    {
        var stream = Stream();
        var (a, aMedia) = Player("1");
        stream.PlayerJoined(a);
        aMedia.BytesSent = 1000;
        Assert.Equal(1000, stream.SendBytes);
        a.CountMediaBytesOut(new Counter()); // a new pump on the same connection
        Assert.Equal(1000, stream.SendBytes);
    }
}
