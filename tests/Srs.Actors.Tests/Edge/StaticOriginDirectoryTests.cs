using Akka.Actor;
using Akka.TestKit.Xunit2;
using Srs.Actors.Cluster;
using Srs.Actors.Streams;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;

namespace Srs.Actors.Tests.Edge;

public class StaticOriginDirectoryTests : TestKit
{
    private static readonly OriginEndpoint[] Three = new[] { "10.0.0.1:1935", "10.0.0.2:1935", "10.0.0.3:1936" }.Select(StaticOriginDirectory.Parse).ToArray();

    private static StreamKey Key(string stream) => new(StreamKey.DefaultVhost, "live", stream);

    [Theory]
    [InlineData("10.0.0.1:1935", "10.0.0.1", 1935)]
    [InlineData("origin.example.com:19350", "origin.example.com", 19350)]
    [InlineData("[::1]:1936", "::1", 1936)]
    [InlineData("origin.example.com", "origin.example.com", 1935)]
    public void Parse_HostAndPort(string text, string host, int port)
    {
        var o = StaticOriginDirectory.Parse(text);
        Assert.Equal(new OriginEndpoint(StaticOriginDirectory.StaticNode, host, port), o);
    }

    [Fact]
    public void Rank_HasEveryOrigin_InAnOrderThatDependsOnlyOnStreamAndOrigins()
    {
        var ranked = StaticOriginDirectory.Rank(Key("s1"), Three);
        Assert.Equal(Three.OrderBy(o => o.ToString()), ranked.OrderBy(o => o.ToString()));
        // The configured order does not matter, only the set.
        Assert.Equal(ranked, StaticOriginDirectory.Rank(Key("s1"), Three.Reverse()));
        Assert.Equal(ranked, StaticOriginDirectory.Rank(Key("s1"), [Three[1], Three[2], Three[0]]));
    }

    [Fact]
    public void Rank_SpreadsStreamsOverOrigins()
    {
        var firsts = Enumerable.Range(0, 600).Select(i => StaticOriginDirectory.Rank(Key("s" + i), Three)[0]).ToArray();
        foreach (var origin in Three) Assert.InRange(firsts.Count(f => f == origin), 120, 280);
    }

    [Fact]
    public void Rank_WithoutOneOrigin_MovesOnlyTheStreamsThatPreferredIt()
    {
        for (var i = 0; i < 300; i++)
        {
            var all = StaticOriginDirectory.Rank(Key("s" + i), Three);
            var without = StaticOriginDirectory.Rank(Key("s" + i), Three.Where(o => o != Three[2]));
            Assert.Equal(all.Where(o => o != Three[2]), without);
        }
    }

    [Fact]
    public void Directory_AnswersResolveChooseAndWatch_WithTheRankedList()
    {
        var directory = Sys.ActorOf(StaticOriginDirectory.Props(["10.0.0.1:1935", "10.0.0.2:1935", "10.0.0.3:1936", "10.0.0.1:1935"]));
        var expected = StaticOriginDirectory.Rank(Key("s1"), Three);

        directory.Tell(new ResolveOrigin(Key("s1")), TestActor);
        Assert.Equal(expected, ExpectMsg<OriginCandidates>().Origins);
        directory.Tell(new ChoosePublishOrigin(Key("s1")), TestActor);
        Assert.Equal(expected, ExpectMsg<OriginCandidates>().Origins);

        var watcher = CreateTestProbe();
        directory.Tell(new WatchOrigin(Key("s1"), watcher.Ref), ActorRefs.NoSender);
        var answer = watcher.ExpectMsg<OriginCandidates>();
        Assert.Equal(Key("s1"), answer.Key);
        Assert.Equal(expected, answer.Origins);
        directory.Tell(new UnwatchOrigin(Key("s1"), watcher.Ref), ActorRefs.NoSender);
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
