using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Srs.Actors.Connections;

/// <summary>
/// The mailbox of a client connection's actor: a locked FIFO that starts with room for four
/// messages. Akka's default mailbox (a <c>ConcurrentQueue</c>) starts with a 32-slot segment,
/// ~1 KB per actor, which a connection, seeing a few control messages in its life (media never
/// goes through it), does not use: 2 MB at 2,000 players. Contention is no concern at that rate.
/// </summary>
public sealed class ConnectionMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<ConnectionMailbox.MessageQueue>
{
    /// <summary>The mailbox's id in the actor system's configuration (<see cref="Hocon"/>).</summary>
    public const string Id = "srs-connection-mailbox";

    /// <summary>Binds <see cref="Id"/> to this type; the node adds it to its Akka configuration.</summary>
    public const string Hocon = Id + ".mailbox-type = \"Srs.Actors.Connections.ConnectionMailbox, Srs.Actors\"";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new MessageQueue();

    public sealed class MessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private const int TrimAbove = 32;
        private readonly Queue<Envelope> _queue = new(4);
        private volatile int _count; // read without the lock by the dispatcher (HasMessages)

        public bool HasMessages => _count > 0;
        public int Count => _count;

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            lock (_queue)
            {
                _queue.Enqueue(envelope);
                _count = _queue.Count;
            }
        }

        public bool TryDequeue(out Envelope envelope)
        {
            lock (_queue)
            {
                if (!_queue.TryDequeue(out envelope)) return false;
                _count = _queue.Count;
                // A burst (a kick storm, a flood of pings) must not leave its array behind.
                if (_count == 0 && _queue.EnsureCapacity(0) > TrimAbove) _queue.TrimExcess();
                return true;
            }
        }

        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
        }
    }
}
