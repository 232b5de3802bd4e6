using Akka.Actor;
using Akka.TestKit.Xunit2;
using Srs.Actors.Cluster;
using Srs.Actors.Configuration;
using Srs.Actors.Edge;
using Srs.Actors.Media;
using Srs.Actors.Sources;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Actors.Upgrade;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Tests.Upgrade;

/// <summary>
/// An origin during an upgrade in place: its sources pull from the previous process, a publish
/// takes a stream over from that pull only once the previous process drains, and a draining
/// origin's players wait for a pull from the next process (the directory is a probe; a pull's
/// publish is sent as the puller would).
/// </summary>
public class UpgradePeerPullTests : TestKit
{
    private static readonly StreamKey Key = new(StreamKey.DefaultVhost, "live", "s1");
    private static readonly string PullId = EdgePuller.ClientId(new PreviousProcess(1, "srs-media-test").Endpoint);

    private readonly ServerStats _stats = new();

    private IActorRef Registry(IActorRef directory, UpgradePeers? peers, NodeRole role = NodeRole.Origin) =>
        Sys.ActorOf(SourceRegistry.Props(new SrsSettings { Role = role, SourceIdleTimeout = TimeSpan.FromSeconds(30) }, _stats, directory, peers));

    /// <summary>A player (so the source pulls), then the pull's publish, accepted.</summary>
    private void PlayAndPull(IActorRef registry, Akka.TestKit.TestProbe directory, string pullId)
    {
        registry.Tell(new SourceEnvelope(Key, new Play("p1", CreateTestProbe().Ref, new PlayerQueue(TimeSpan.FromSeconds(10)))), TestActor);
        ExpectMsg<PlayAccepted>();
        directory.ExpectMsg<WatchOrigin>();
        LastPuller = CreateTestProbe().Ref;
        registry.Tell(new SourceEnvelope(Key, new Publish(pullId, LastPuller)), TestActor);
        ExpectMsg<PublishAccepted>();
    }

    /// <summary>The connection (puller) of the last <see cref="PlayAndPull"/>'s pull.</summary>
    private IActorRef LastPuller { get; set; } = ActorRefs.Nobody;

    [Fact]
    public void A_publish_is_refused_while_the_previous_process_serves_and_takes_the_stream_over_once_it_drains()
    {
        var previous = new PreviousProcess(1, "srs-media-test");
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, new UpgradePeers(previous));
        PlayAndPull(registry, directory, PullId);

        // A second encoder while the previous process still serves its own: refused, as anywhere.
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        Assert.Contains($"already published by client {PullId}", ExpectMsg<PublishRejected>().Reason);

        // The previous process drains: its encoder, reconnecting here, is accepted at once...
        previous.MarkDraining();
        var encoder = CreateTestProbe();
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", encoder.Ref)), TestActor);
        var accepted = ExpectMsg<PublishAccepted>();
        Assert.Equal(2, accepted.Epoch); // a new epoch: players' timestamps continue across it
        // ...but the pull feeds the players until the encoder's first keyframe (make before break).
        accepted.Source.Tell(Packets.VideoHeader(epoch: 2), encoder.Ref);
        accepted.Source.Tell(Packets.Audio(10, epoch: 2), encoder.Ref);
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(PullId, _stats.Streams.Values.Single().PublisherClientId);
        // A second encoder meanwhile is refused.
        registry.Tell(new SourceEnvelope(Key, new Publish("c2", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishRejected>();

        accepted.Source.Tell(Packets.Keyframe(40, epoch: 2), encoder.Ref);
        directory.ExpectMsg<UnwatchOrigin>(); // the pull stops
        AwaitAssert(() => Assert.Equal("c1", _stats.Streams.Values.Single().PublisherClientId));

        // And a third publisher is refused again: only a pull is ever taken over.
        registry.Tell(new SourceEnvelope(Key, new Publish("c3", CreateTestProbe().Ref)), TestActor);
        Assert.Contains("already published by client c1", ExpectMsg<PublishRejected>().Reason);
    }

    [Fact]
    public void With_no_pull_a_publish_is_refused_when_an_encoder_publishes_the_stream_on_the_serving_previous_process_and_accepted_when_none_does()
    {
        var publishedThere = new HashSet<string> { "s1" };
        var asked = new List<StreamKey>();
        var previous = new PreviousProcess(1, "srs-media-test")
        {
            Publishes = (key, _) =>
            {
                lock (asked) asked.Add(key);
                return Task.FromResult(publishedThere.Contains(key.Stream));
            },
        };
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, new UpgradePeers(previous));

        // No viewer here, so nothing pulls s1: the previous process is asked, and says its encoder publishes it.
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        Assert.Contains("published on the previous process (pid 1)", ExpectMsg<PublishRejected>().Reason);
        // A stream it does not have is published here.
        var other = Key with { Stream = "s2" };
        registry.Tell(new SourceEnvelope(other, new Publish("c2", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        lock (asked) Assert.Equal([Key, other], asked);

        // A pull of s1 from it (for a viewer here) is its own stream coming: not asked about.
        registry.Tell(new SourceEnvelope(Key with { Stream = "s3" }, new Play("p1", CreateTestProbe().Ref, new PlayerQueue(TimeSpan.FromSeconds(10)))), TestActor);
        ExpectMsg<PlayAccepted>();
        publishedThere.Add("s3");
        registry.Tell(new SourceEnvelope(Key with { Stream = "s3" }, new Publish(PullId, CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        lock (asked) Assert.Equal(2, asked.Count);

        // Once it drains, its encoder moving here is not refused, and it is not asked any more.
        previous.MarkDraining();
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        lock (asked) Assert.Equal(2, asked.Count);
    }

    [Fact]
    public void A_publisher_that_leaves_before_its_first_keyframe_leaves_the_pull_feeding_the_players()
    {
        var previous = new PreviousProcess(1, "srs-media-test");
        previous.MarkDraining();
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, new UpgradePeers(previous));
        PlayAndPull(registry, directory, PullId);
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        registry.Tell(new SourceEnvelope(Key, new Unpublish("c1")), TestActor);
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(PullId, _stats.Streams.Values.Single().PublisherClientId);
        // The next attempt is accepted again.
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
    }

    [Fact]
    public void An_origin_outside_an_upgrade_pulls_nothing()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, new UpgradePeers(null));
        registry.Tell(new SourceEnvelope(Key, new Play("p1", CreateTestProbe().Ref, new PlayerQueue(TimeSpan.FromSeconds(10)))), TestActor);
        ExpectMsg<PlayAccepted>();
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_edge_pull_from_an_origin_is_never_taken_over()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, peers: null, NodeRole.Edge);
        PlayAndPull(registry, directory, EdgePuller.ClientId(new OriginEndpoint("static", "10.0.0.1", 1935)));
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishRejected>();
    }

    [Fact]
    public void A_draining_origin_keeps_its_players_and_pulls_from_the_next_process_once_its_encoder_left()
    {
        var peers = new UpgradePeers(null);
        peers.SetNext("srs-media-next");
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, peers);
        var encoder = CreateTestProbe();
        registry.Tell(new SourceEnvelope(Key, new Publish("c1", encoder.Ref)), TestActor);
        ExpectMsg<PublishAccepted>();
        var viewer = CreateTestProbe();
        registry.Tell(new SourceEnvelope(Key, new Play("p1", viewer.Ref, new PlayerQueue(TimeSpan.FromSeconds(10)))), TestActor);
        ExpectMsg<PlayAccepted>();
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // a local publisher: nothing to pull

        // The node drains and its encoder moves to the next process: the viewer stays, the stream is pulled from there.
        registry.Tell(Drain.Instance, TestActor);
        registry.Tell(new SourceEnvelope(Key, new Unpublish("c1")), encoder.Ref);
        directory.ExpectMsg<WatchOrigin>();
        viewer.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // not kicked
    }

    [Fact]
    public void A_draining_origin_with_no_next_process_closes_players_it_cannot_feed()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, new UpgradePeers(null));
        var viewer = CreateTestProbe();
        registry.Tell(new SourceEnvelope(Key, new Play("p1", viewer.Ref, new PlayerQueue(TimeSpan.FromSeconds(10)))), TestActor);
        ExpectMsg<PlayAccepted>();
        registry.Tell(Drain.Instance, TestActor);
        viewer.ExpectMsg<Srs.Actors.Connections.ConnectionProtocol.Kick>();
        directory.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void An_edge_pull_replaced_by_its_puller_hands_over_at_the_new_pulls_first_keyframe()
    {
        var directory = CreateTestProbe();
        var registry = Registry(directory.Ref, peers: null, NodeRole.Edge);
        var oldPull = EdgePuller.ClientId(new OriginEndpoint("static", "10.0.0.1", 1935));
        PlayAndPull(registry, directory, oldPull);
        // The stream moved to another origin: the same puller publishes a second pull.
        var puller = LastPuller;
        var newPull = EdgePuller.ClientId(new OriginEndpoint("static", "10.0.0.2", 1935));
        registry.Tell(new SourceEnvelope(Key, new Publish(newPull, puller)), TestActor);
        var accepted = ExpectMsg<PublishAccepted>();
        accepted.Source.Tell(Packets.VideoHeader(epoch: accepted.Epoch), puller);
        AwaitAssert(() => Assert.Equal(oldPull, _stats.Streams.Values.Single().PublisherClientId));
        accepted.Source.Tell(Packets.Keyframe(40, epoch: accepted.Epoch), puller);
        AwaitAssert(() => Assert.Equal(newPull, _stats.Streams.Values.Single().PublisherClientId));
    }

    [Fact]
    public void The_directory_names_the_previous_process_while_it_runs_then_the_next_one_and_never_takes_publishes()
    {
        var previous = new PreviousProcess(1, "srs-media-test");
        var peers = new UpgradePeers(previous);
        var directory = Sys.ActorOf(UpgradePeerDirectory.Props(peers));
        directory.Tell(new ResolveOrigin(Key), TestActor);
        var one = ExpectMsg<OriginCandidates>().Origins.Single();
        Assert.True(one.IsPreviousProcess);
        Assert.Equal("previous-process", one.ToString()); // the socket's name stays out of logs and client ids
        directory.Tell(new ChoosePublishOrigin(Key), TestActor);
        Assert.Empty(ExpectMsg<OriginCandidates>().Origins);
        previous.MarkGone();
        directory.Tell(new WatchOrigin(Key, TestActor), TestActor);
        Assert.Empty(ExpectMsg<OriginCandidates>().Origins);
        peers.SetNext("srs-media-next");
        directory.Tell(new ResolveOrigin(Key), TestActor);
        Assert.Equal("next-process", ExpectMsg<OriginCandidates>().Origins.Single().ToString());
        Assert.False(peers.WantsPull(draining: false)); // its own encoders publish here until it drains
        Assert.True(peers.WantsPull(draining: true));
    }

    [Fact]
    public void A_process_between_two_others_pulls_from_the_next_one_first_where_the_encoders_have_moved()
    {
        // Upgrades closer together than a drain: the previous process still runs (its viewers stay)
        // while this one drains, and its encoders moved here and on to the next process.
        var previous = new PreviousProcess(1, "srs-media-previous");
        var peers = new UpgradePeers(previous);
        peers.SetNext("srs-media-next");
        var directory = Sys.ActorOf(UpgradePeerDirectory.Props(peers));
        directory.Tell(new ResolveOrigin(Key), TestActor);
        Assert.Equal(["next-process", "previous-process"], ExpectMsg<OriginCandidates>().Origins.Select(o => o.ToString()));
        previous.MarkGone();
        directory.Tell(new ResolveOrigin(Key), TestActor);
        Assert.Equal("next-process", ExpectMsg<OriginCandidates>().Origins.Single().ToString());
    }
}
