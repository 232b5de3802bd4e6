using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Srs.Actors.Configuration;
using Srs.Actors.Media;
using Srs.Actors.Sources;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Tests;

public class SourceRegistryTests : TestKit
{
    private static readonly StreamKey Key = new(StreamKey.DefaultVhost, "live", "s1");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ServerStats _stats = new();

    private IActorRef Registry(TimeSpan idle) =>
        Sys.ActorOf(SourceRegistry.Props(new SrsSettings { SourceIdleTimeout = idle }, _stats));

    /// <summary>A registry whose sources merge writes over <paramref name="latency"/>, a phase opening every <paramref name="phasePlayers"/> players.</summary>
    private IActorRef MergingRegistry(TimeSpan latency, int phasePlayers) =>
        Sys.ActorOf(SourceRegistry.Props(
            new SrsSettings { SourceIdleTimeout = TimeSpan.FromSeconds(30), MergeLatency = latency, MergePhasePlayers = phasePlayers }, _stats));

    private PublishAccepted Publish(IActorRef registry, TestProbe publisher, string id = "pub")
    {
        registry.Tell(new SourceEnvelope(Key, new Publish(id, publisher.Ref)), TestActor);
        return ExpectMsg<PublishAccepted>();
    }

    private PlayAccepted Play(IActorRef registry, TestProbe player, PlayerQueue queue, string id = "play")
    {
        registry.Tell(new SourceEnvelope(Key, new Play(id, player.Ref, queue)), TestActor);
        return ExpectMsg<PlayAccepted>();
    }

    [Fact]
    public void SecondPublisher_IsRefused_FirstStays()
    {
        var registry = Registry(TimeSpan.FromSeconds(30));
        var first = Publish(registry, CreateTestProbe(), "a");
        registry.Tell(new SourceEnvelope(Key, new Publish("b", CreateTestProbe().Ref)), TestActor);
        Assert.Contains("already published by client a", ExpectMsg<PublishRejected>().Reason);
        Assert.Equal("a", _stats.Streams.Values.Single().PublisherClientId);
        Assert.Equal(1, first.Epoch);
    }

    [Fact]
    public void NewPlayer_StartsWithHeadersThenTheGop_ThenLiveMedia()
    {
        var registry = Registry(TimeSpan.FromSeconds(30));
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var vh = Packets.VideoHeader(); var ah = Packets.AudioHeader();
        var old = Packets.Keyframe(0); var k = Packets.Keyframe(1000); var f = Packets.Frame(1040); var a = Packets.Audio(1050);
        foreach (var p in new[] { vh, ah, old, Packets.Frame(40), k, f, a }) source.Tell(p, publisher.Ref);

        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        Assert.True(Play(registry, CreateTestProbe(), queue).Publishing);
        var live = Packets.Frame(1080);
        source.Tell(live, publisher.Ref);
        source.Tell(Packets.Frame(1120), CreateTestProbe().Ref); // not the publisher: ignored

        AwaitCondition(() => Peek(queue).Count == 6);
        Assert.Equal(new[] { vh, ah, k, f, a, live }, Peek(queue));
    }

    [Fact]
    public void A_Stream_Starting_MidGop_IsCachedFromItsFirstKeyframe()
    {
        var registry = Registry(TimeSpan.FromSeconds(30));
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var vh = Packets.VideoHeader(); var ah = Packets.AudioHeader();
        // An inter frame and audio before any keyframe: a player could not decode from there.
        foreach (var p in new[] { vh, ah, Packets.Frame(0), Packets.Audio(10) }) source.Tell(p, publisher.Ref);
        var early = new PlayerQueue(TimeSpan.FromSeconds(10));
        Play(registry, CreateTestProbe(), early, "early");
        Assert.Equal(new[] { vh, ah }, Peek(early));

        var k = Packets.Keyframe(40); var a = Packets.Audio(50);
        foreach (var p in new[] { k, a }) source.Tell(p, publisher.Ref);
        var late = new PlayerQueue(TimeSpan.FromSeconds(10));
        Play(registry, CreateTestProbe(), late, "late");
        Assert.Equal(new[] { vh, ah, k, a }, Peek(late));
    }

    [Fact]
    public void MergedWrites_HoldMediaUntilThePlayersWindowCloses_PhasesHalfAWindowApart_AndAPlayerJoiningMidWindowGetsNothingTwice()
    {
        var registry = MergingRegistry(TimeSpan.FromSeconds(8), phasePlayers: 1);
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var first = new PlayerQueue(TimeSpan.FromSeconds(30));
        Play(registry, CreateTestProbe(), first, "first");

        // A long window (8 s of stream time, so the wall-clock tick for overdue media cannot flush during the
        // test; the queues hold 30 s, longer than the 12 s of stream the test sends).
        var k = Packets.Keyframe(0); var a1 = Packets.Audio(1000); var f1 = Packets.Frame(4000); var a2 = Packets.Audio(5000);
        foreach (var p in new[] { k, a1, f1, a2 }) source.Tell(p, publisher.Ref);
        AwaitCondition(() => Peek(first).Count == 1); // the keyframe opened the stream: flushed at once
        Assert.Equal(new[] { k }, Peek(first));

        // Joins while a1, f1 and a2 wait for the window to close: it gets them with the GOP.
        var second = new PlayerQueue(TimeSpan.FromSeconds(30));
        Play(registry, CreateTestProbe(), second, "second");
        Assert.Equal(new[] { k, a1, f1, a2 }, Peek(second));

        // The two players are in different phases, flushed half a window (4 s) apart: the first's window
        // closes 8 s after its last flush, the second's at 12 s (its phase was last flushed on f1).
        var f2 = Packets.Frame(8000);
        source.Tell(f2, publisher.Ref);
        AwaitCondition(() => Peek(first).Count == 5);
        Assert.Equal(new[] { k, a1, f1, a2, f2 }, Peek(first));
        Assert.Equal(new[] { k, a1, f1, a2 }, Peek(second));

        var f3 = Packets.Frame(12000);
        source.Tell(f3, publisher.Ref);
        AwaitCondition(() => Peek(second).Count == 6);
        Assert.Equal(new[] { k, a1, f1, a2, f2, f3 }, Peek(second));
        Assert.Equal(new[] { k, a1, f1, a2, f2 }, Peek(first));
    }

    [Fact]
    public void PlayersBelowThePhaseSize_AreFlushedTogether_TheNextOpensTheSecondPhase()
    {
        var registry = MergingRegistry(TimeSpan.FromSeconds(8), phasePlayers: 2);
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var queues = Enumerable.Range(0, 3).Select(_ => new PlayerQueue(TimeSpan.FromSeconds(30))).ToArray();
        for (var i = 0; i < queues.Length; i++) Play(registry, CreateTestProbe(), queues[i], "p" + i);

        // The keyframe opens every phase at once; then phase 1 (the third player) is due on f1, phase 0 (the first two) on f2.
        var k = Packets.Keyframe(0); var f1 = Packets.Frame(4000); var f2 = Packets.Frame(8000);
        source.Tell(k, publisher.Ref);
        source.Tell(f1, publisher.Ref);
        AwaitCondition(() => Peek(queues[2]).Count == 2);
        Assert.Equal(new[] { k }, Peek(queues[0]));
        Assert.Equal(new[] { k }, Peek(queues[1]));

        source.Tell(f2, publisher.Ref);
        AwaitCondition(() => Peek(queues[0]).Count == 3 && Peek(queues[1]).Count == 3);
        Assert.Equal(new[] { k, f1, f2 }, Peek(queues[0]));
        Assert.Equal(new[] { k, f1, f2 }, Peek(queues[1]));
        Assert.Equal(new[] { k, f1 }, Peek(queues[2]));
    }

    [Fact]
    public void StaggeredPhases_EveryPlayerGetsEveryPacketOnce_InOrder_FromTheKeyframeBeforeItJoined()
    {
        var registry = MergingRegistry(TimeSpan.FromMilliseconds(80), phasePlayers: 2);
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var vh = Packets.VideoHeader(); var ah = Packets.AudioHeader();
        source.Tell(vh, publisher.Ref);
        source.Tell(ah, publisher.Ref);

        // 60 frames at 25 fps with audio, a keyframe every 25; players join at frames 3, 10, 17, ... so
        // they land in both phases (the second opens at 2 players) and at every point of their windows.
        var sent = new List<MediaPacket>();
        var players = new List<(PlayerQueue Queue, int JoinedAfter)>();
        for (var frame = 0; frame < 60; frame++)
        {
            var ts = (uint)(frame * 40);
            foreach (var p in new[] { frame % 25 == 0 ? Packets.Keyframe(ts) : Packets.Frame(ts), Packets.Audio(ts + 20) })
            {
                source.Tell(p, publisher.Ref);
                sent.Add(p);
            }
            if (frame % 7 != 3) continue;
            var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
            Play(registry, CreateTestProbe(), queue, "p" + frame);
            players.Add((queue, sent.Count));
        }
        source.Tell(new Unpublish("pub")); // flushes every phase

        foreach (var (queue, joinedAfter) in players)
        {
            var keyframe = sent.FindLastIndex(joinedAfter - 1, p => p.IsKeyframe);
            var expected = new[] { vh, ah }.Concat(sent.Skip(keyframe)).ToList();
            AwaitCondition(() => Peek(queue).Count >= expected.Count);
            Assert.Equal(expected, Peek(queue));
        }
    }

    [Fact]
    public void PlayerBeforePublisher_Waits_AndGetsMediaOncePublished()
    {
        var registry = Registry(TimeSpan.FromSeconds(30));
        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        Assert.False(Play(registry, CreateTestProbe(), queue).Publishing);
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        source.Tell(Packets.Keyframe(0), publisher.Ref);
        AwaitCondition(() => Peek(queue).Count == 1);
    }

    [Fact]
    public void Idle_Source_Passivates_AndItsNameCanBePublishedAgain()
    {
        var registry = Registry(TimeSpan.FromMilliseconds(300));
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        source.Tell(Packets.VideoHeader(), publisher.Ref);
        Watch(source);
        source.Tell(new Unpublish("pub"));
        ExpectTerminated(source, TimeSpan.FromSeconds(5));
        AwaitCondition(() => _stats.Streams.IsEmpty && _stats.SourcesPassivated == 1);

        var fresh = Publish(registry, CreateTestProbe()).Source;
        Assert.NotEqual(source, fresh);
        registry.Tell(new SourceEnvelope(Key, new Publish("other", CreateTestProbe().Ref)), TestActor);
        ExpectMsg<PublishRejected>(); // the fresh source is live and busy
    }

    [Fact]
    public void A_Publisher_Alone_Or_A_Player_Alone_KeepsTheSourceAlive()
    {
        var registry = Registry(TimeSpan.FromMilliseconds(200));
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        Watch(source);
        ExpectNoMsg(TimeSpan.FromMilliseconds(800)); // 4 idle timeouts with a publisher: still alive

        var player = CreateTestProbe();
        Play(registry, player, new PlayerQueue(TimeSpan.FromSeconds(10)));
        source.Tell(new Unpublish("pub"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(800)); // player alone: still alive

        source.Tell(new StopPlay("play"));
        ExpectTerminated(source, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_Stopping_Source_Tells_Its_Publisher_And_Ends_Its_Players()
    {
        // Connections do not watch their source: the source tells them (SourceStopped, or a completed queue).
        var registry = Registry(TimeSpan.FromSeconds(30));
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        Play(registry, CreateTestProbe(), queue);
        Assert.False(queue.IsCompleted);

        Watch(source);
        source.Tell(PoisonPill.Instance);
        ExpectTerminated(source, TimeSpan.FromSeconds(5));
        publisher.ExpectMsg<Srs.Actors.Connections.ConnectionProtocol.SourceStopped>(TimeSpan.FromSeconds(5));
        Assert.True(queue.IsCompleted);
    }

    [Fact]
    public void Unpublish_FreesTheStream_AndPlayersStay()
    {
        // A connection says it leaves however its session ends (the source does not watch it).
        var registry = Registry(TimeSpan.FromSeconds(30));
        var publisher = CreateTestProbe();
        var source = Publish(registry, publisher).Source;
        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        Play(registry, CreateTestProbe(), queue);
        source.Tell(new Unpublish("pub"), publisher.Ref);
        AwaitCondition(() => !_stats.Streams.Values.Single().Publishing);
        Assert.False(queue.IsCompleted);
        Publish(registry, CreateTestProbe(), "pub2"); // the stream is free again
    }

    [Fact]
    public void RequestsAroundTheIdleTimeout_AllLandOnALiveSource()
    {
        // The race of passivation: a source stopping while a publish or play arrives for its name.
        // Every request must be answered by a live source; none may fall into dead letters.
        var idle = TimeSpan.FromMilliseconds(50);
        var registry = Registry(idle);
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var random = new Random(42);

        for (var round = 0; round < 60; round++)
        {
            var player = CreateTestProbe();
            var accepted = Play(registry, player, new PlayerQueue(TimeSpan.FromSeconds(10)), "p" + round);
            accepted.Source.Tell(new StopPlay("p" + round));
            // Ask again at a random moment around the idle timeout.
            var request = new SourceEnvelope(Key, new Play("q" + round, player.Ref, new PlayerQueue(TimeSpan.FromSeconds(10))));
            Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(random.Next(35, 65)), registry, request, TestActor);
            // A lost request never comes; a slow machine (CI, other suites) may take more than the default 3 s.
            var again = ExpectMsg<PlayAccepted>(Patience);
            again.Source.Tell(new Identify(round)); // the answering source is alive
            ExpectMsg<ActorIdentity>(i => i.Subject is not null, Patience);
            again.Source.Tell(new StopPlay("q" + round));
        }
        deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.True(_stats.SourcesPassivated > 0, "the timing never hit a passivation: the test did not test the race");
    }

    /// <summary>The player's queue as it is; draining and re-queueing would race with the source adding live media.</summary>
    private static List<MediaPacket> Peek(PlayerQueue queue) => queue.Snapshot().ToList();
}
