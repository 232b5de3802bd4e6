using Akka.Actor;
using Akka.TestKit.Xunit2;
using Srs.Actors.Cluster;
using Srs.Actors.Configuration;
using Srs.Actors.Media;
using Srs.Actors.Sources;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Tests.Edge;

/// <summary>How a source on an edge starts and stops its upstream pull and its publish forwarder (the directory is a probe).</summary>
public class EdgeLinksTests : TestKit
{
    private static readonly StreamKey Key = new(StreamKey.DefaultVhost, "live", "s1");

    private IActorRef Registry(IActorRef directory, NodeRole role = NodeRole.Edge) =>
        Sys.ActorOf(SourceRegistry.Props(new SrsSettings { Role = role, SourceIdleTimeout = TimeSpan.FromSeconds(30) }, new ServerStats(), directory));

    private void Play(IActorRef registry, string id)
    {
        registry.Tell(new SourceEnvelope(Key, new Play(id, CreateTestProbe().Ref, new PlayerQueue(TimeSpan.FromSeconds(10)))), TestActor);
        ExpectMsg<PlayAccepted>();
    }

    [Fact]
    public void FirstPlayer_StartsOnePull_WatchingTheDirectory_LastPlayerLeaving_StopsIt()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref);
        Play(registry, "p1");
        var watch = directory.ExpectMsg<WatchOrigin>();
        Assert.Equal(Key, watch.Key);
        Play(registry, "p2");
        Play(registry, "p3");
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // later players share the pull

        foreach (var id in new[] { "p1", "p2" }) registry.Tell(new SourceEnvelope(Key, new StopPlay(id)), TestActor);
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        registry.Tell(new SourceEnvelope(Key, new StopPlay("p3")), TestActor);
        var unwatch = directory.ExpectMsg<UnwatchOrigin>();
        Assert.Equal(watch.Subscriber, unwatch.Subscriber);
    }

    [Fact]
    public void WhileNoOriginHoldsTheStream_ThePullAsksAgain_WithBackoff()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref);
        Play(registry, "p1");
        var watch = directory.ExpectMsg<WatchOrigin>();
        watch.Subscriber.Tell(new OriginCandidates(Key, []));
        directory.ExpectMsg<ResolveOrigin>(TimeSpan.FromSeconds(2));
        directory.Reply(new OriginCandidates(Key, []));
        directory.ExpectMsg<ResolveOrigin>(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void LocalPublisher_StartsAForwarder_NotAPull_AndLeaving_StopsIt()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref);
        var publisher = CreateTestProbe();
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", publisher.Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        Assert.Equal(Key, directory.ExpectMsg<ChoosePublishOrigin>().Key);

        Play(registry, "p1"); // a local player of a local stream: no pull
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The publisher leaves while a player stays: the forwarder stops and the player now wants a pull.
        registry.Tell(new SourceEnvelope(Key, new Unpublish("c1")), publisher.Ref);
        directory.ExpectMsg<WatchOrigin>();
    }

    [Fact]
    public void APulledStream_IsNotForwarded()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref);
        registry.Tell(new SourceEnvelope(Key, new Publish("edge-pull:10.0.0.1:1935", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void OnAnOrigin_NothingGoesUpstream()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, NodeRole.Origin);
        Play(registry, "p1");
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
