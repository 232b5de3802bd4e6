using Akka.Actor;
using Akka.Dispatch;
using Akka.TestKit.Xunit2;
using Srs.Actors.Connections;

namespace Srs.Actors.Tests;

public class ConnectionMailboxTests() : TestKit(ConnectionMailbox.Hocon)
{
    private static Envelope Message(int n) => new(n, ActorRefs.NoSender);

    [Fact]
    public void The_queue_is_first_in_first_out_and_counts_what_it_holds()
    {
        var queue = new ConnectionMailbox.MessageQueue();
        Assert.False(queue.HasMessages);
        for (var i = 0; i < 10; i++) queue.Enqueue(ActorRefs.Nobody, Message(i));
        Assert.True(queue.HasMessages);
        Assert.Equal(10, queue.Count);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(queue.TryDequeue(out var e));
            Assert.Equal(i, e.Message);
        }
        Assert.False(queue.TryDequeue(out _));
        Assert.False(queue.HasMessages);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_burst_then_empty_queue_still_takes_messages_in_order()
    {
        // The array a burst grew is let go once the queue is empty; the queue goes on working.
        var queue = new ConnectionMailbox.MessageQueue();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 1000; i++) queue.Enqueue(ActorRefs.Nobody, Message(i));
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(queue.TryDequeue(out var e));
                Assert.Equal(i, e.Message);
            }
            Assert.False(queue.HasMessages);
        }
    }

    [Fact]
    public void Clean_up_hands_what_is_left_to_dead_letters_in_order()
    {
        var queue = new ConnectionMailbox.MessageQueue();
        var dead = new ConnectionMailbox.MessageQueue();
        for (var i = 0; i < 5; i++) queue.Enqueue(ActorRefs.Nobody, Message(i));
        queue.CleanUp(ActorRefs.Nobody, dead);
        Assert.False(queue.HasMessages);
        Assert.Equal(5, dead.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(dead.TryDequeue(out var e));
            Assert.Equal(i, e.Message);
        }
    }

    [Fact]
    public async Task An_actor_on_it_gets_every_message_of_concurrent_senders_each_in_order()
    {
        const int senders = 4, each = 5_000;
        var actor = Sys.ActorOf(Props.Create(() => new Collector(TestActor)).WithMailbox(ConnectionMailbox.Id));
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < each; i++) actor.Tell((s, i));
        })));
        actor.Tell("done");
        var seen = ExpectMsg<List<(int Sender, int N)>>(TimeSpan.FromSeconds(10));
        Assert.Equal(senders * each, seen.Count);
        foreach (var group in seen.GroupBy(m => m.Sender))
            Assert.Equal(Enumerable.Range(0, each), group.Select(m => m.N));
    }

    [Fact]
    public void Connection_actors_ask_for_it_and_its_configuration_resolves_to_it()
    {
        Assert.Equal(ConnectionMailbox.Id, RtmpConnectionActor.Props(null!).Mailbox);
        Assert.Equal(ConnectionMailbox.Id, HttpClientActor.Props(null!, null!).Mailbox);
        Assert.IsType<ConnectionMailbox>(Sys.Mailboxes.Lookup(ConnectionMailbox.Id));
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(IActorRef report)
        {
            var seen = new List<(int, int)>();
            Receive<(int, int)>(m => seen.Add(m));
            Receive<string>(_ => report.Tell(seen));
        }
    }
}
