using System.Net.Sockets;
using Akka.Actor;
using Srs.Actors.Stats;

namespace Srs.Actors.Connections;

/// <summary>Messages of the connection manager and the connection actors it supervises.</summary>
public static class ConnectionProtocol
{
    /// <summary>Listener to manager: a new RTMP client socket.</summary>
    public sealed record Accepted(Socket Socket);

    /// <summary>
    /// An HTTP client (HTTP-FLV player), whose request Kestrel serves or whose socket it has taken
    /// over: the manager creates an actor that stands for it (for kick and draining) and answers with
    /// its <see cref="IActorRef"/>. Cancelling <paramref name="Abort"/> ends the player.
    /// </summary>
    public sealed record RegisterHttpClient(ClientStats Stats, CancellationTokenSource Abort);

    /// <summary>Close one client (API kick, fast quit). The reason is logged.</summary>
    public sealed record Kick(string Reason);

    /// <summary>Close every client.</summary>
    public sealed record CloseAll(string Reason);

    /// <summary>
    /// Ask every publisher that honours Enhanced RTMP's reconnect request (capsEx) to reconnect:
    /// the node quits and another process or origin can take its stream. Players, and publishers
    /// that did not advertise it, are not asked (RTMP and FLV players cannot be moved).
    /// </summary>
    public sealed record AskToReconnect(string Reason);

    /// <summary>Answered with <see cref="AllClosed"/> once no connection is left (at once when none is).</summary>
    public sealed record NotifyWhenAllClosed
    {
        public static readonly NotifyWhenAllClosed Instance = new();
    }

    public sealed record AllClosed
    {
        public static readonly AllClosed Instance = new();
    }

    public sealed record GetConnectionCount
    {
        public static readonly GetConnectionCount Instance = new();
    }

    /// <summary>
    /// Connection actor to its manager, from its PostStop: it has ended. (The manager does not
    /// watch its connections, for the reason given at <see cref="SourceStopped"/>; connection
    /// actors are stopped, never restarted, so PostStop runs once for each.)
    /// </summary>
    internal sealed record ConnectionEnded
    {
        public static readonly ConnectionEnded Instance = new();
    }

    /// <summary>A connection's session loop ended, with why.</summary>
    internal sealed record SessionEnded(string Reason);

    /// <summary>
    /// Source to its publisher's connection: the source stopped (failed, or the node is stopping), so
    /// the publisher's media has nowhere to go. Players need no message: the source completes their
    /// queues, which ends their pumps. (Connections do not watch their source: a watch makes every
    /// connection actor carry Akka's watch state, ~0.5 KB, for an event that tells them nothing more.)
    /// </summary>
    public sealed record SourceStopped
    {
        public static readonly SourceStopped Instance = new();
    }
}
