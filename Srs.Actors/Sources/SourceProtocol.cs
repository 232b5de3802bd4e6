using Akka.Actor;
using Srs.Actors.Media;
using Srs.Actors.Streams;

namespace Srs.Actors.Sources;

/// <summary>Messages a source answers. Requests travel through the registry as <see cref="SourceEnvelope"/>.</summary>
public static class SourceProtocol
{
    /// <summary>To the registry: deliver <paramref name="Message"/> to the source of <paramref name="Key"/>, creating it if needed.</summary>
    public sealed record SourceEnvelope(StreamKey Key, object Message);

    /// <summary>A publisher asks for the stream. Answered with <see cref="PublishAccepted"/> or <see cref="PublishRejected"/>.</summary>
    public sealed record Publish(string ClientId, IActorRef Connection);
    /// <summary>The answer to <see cref="Publish"/>: <see cref="PublishAccepted"/> or <see cref="PublishRejected"/>, nothing else.</summary>
    public abstract record PublishReply
    {
        private protected PublishReply() { }
    }
    public sealed record PublishAccepted(IActorRef Source, int Epoch) : PublishReply;
    public sealed record PublishRejected(string Reason) : PublishReply;
    public sealed record Unpublish(string ClientId);

    /// <summary>A player joins with its queue. Answered with <see cref="PlayAccepted"/>.</summary>
    /// <param name="Client">The player's stats, whose bytes sent count in the stream's; null: not a client (an edge's forwarder).</param>
    public sealed record Play(string ClientId, IActorRef Connection, PlayerQueue Queue, Stats.ClientStats? Client = null);
    /// <param name="Pulled">The publisher is a pull from another node or process, not an encoder here.</param>
    public sealed record PlayAccepted(IActorRef Source, bool Publishing, bool Pulled = false);
    public sealed record StopPlay(string ClientId);

    /// <summary>Source to registry: idle for the idle timeout, may it stop?</summary>
    public sealed record Passivate(IActorRef Source);

    /// <summary>Registry to source, sent after every message routed to it before: stop now if still idle.</summary>
    public sealed record ConfirmPassivate
    {
        public static readonly ConfirmPassivate Instance = new();
    }

    /// <summary>Source to registry: a request arrived meanwhile, the source stays.</summary>
    public sealed record PassivateCancelled(IActorRef Source);

    /// <summary>
    /// To the registry (and from it to every source, present and future): the node is quitting.
    /// A stream without a publisher closes its players, now or when its publisher leaves: no
    /// publisher can come any more (the listeners are closed), and a waiting player would hold
    /// the graceful quit open forever.
    /// </summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();
    }

    internal sealed record IdleTimeout(int Generation);
}
