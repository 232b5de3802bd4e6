namespace Srs.Actors.Cluster;

/// <summary>A message between two nodes' directories: serialized by <see cref="DirectorySerializer"/>, never by Akka's default JSON.</summary>
public interface IDirectoryMessage;

/// <summary>
/// What nodes' directories say to each other. Each node owns the list of streams published on it
/// (origins only; an edge's streams are pulled, not routed to) and numbers its changes; every
/// other node subscribes to it and keeps a replica:
/// <list type="number">
/// <item><see cref="Subscribe"/>: the subscriber asks; the owner answers with a <see cref="Snapshot"/> in parts.</item>
/// <item><see cref="Delta"/>: every change after that, as it happens, numbered; a gap makes the subscriber subscribe again.</item>
/// <item><see cref="Digest"/>: once a second, the owner's last number and summary; a subscriber behind it subscribes again.</item>
/// </list>
/// Every message is bounded (<see cref="DirectoryLimits"/>): a change costs its own size, whatever the number of streams.
/// </summary>
public static class DirectoryProtocol
{
    /// <summary>From a node's directory to another's: send me your streams and every change to them. The reply goes to the sender.</summary>
    public sealed class Subscribe : IDirectoryMessage
    {
        public static readonly Subscribe Instance = new();
        private Subscribe() { }
    }

    /// <summary>
    /// Part <paramref name="Part"/> (from 0) of an owner's published streams as of change
    /// <paramref name="Seq"/>. Parts arrive in order (one sender, one receiver); the last has
    /// <paramref name="Last"/> set.
    /// </summary>
    /// <param name="Incarnation">The owner's cluster uid: a restarted node on the same address starts over.</param>
    public sealed record Snapshot(long Incarnation, long Seq, NodeSummary Summary, int Part, bool Last, IReadOnlyList<string> Streams) : IDirectoryMessage;

    /// <summary>Change <paramref name="Seq"/> of an owner: streams published and unpublished since change Seq - 1 (either may be empty when only the summary changed).</summary>
    public sealed record Delta(long Incarnation, long Seq, NodeSummary Summary, IReadOnlyList<string> Published, IReadOnlyList<string> Unpublished) : IDirectoryMessage;

    /// <summary>An owner's latest change number and summary, sent once a second to every subscriber.</summary>
    public sealed record Digest(long Incarnation, long Seq, NodeSummary Summary) : IDirectoryMessage;

    /// <summary>The cluster API asks a node for its streams, ordered by key, from <paramref name="Start"/>. Answered with <see cref="StreamsPage"/>.</summary>
    public sealed record StreamsPageRequest(int Start, int Count) : IDirectoryMessage;

    /// <summary>
    /// A node's streams from the requested start; fewer than requested when the message would pass
    /// <see cref="DirectoryLimits.PayloadBytes"/> (ask again from where it ended) or the list ended.
    /// </summary>
    public sealed record StreamsPage(int Total, IReadOnlyList<StreamEntry> Streams) : IDirectoryMessage;

    /// <summary>One stream in a <see cref="StreamsPage"/>: "vhost/app/stream", published or waiting, clients (publisher included).</summary>
    public readonly record struct StreamEntry(string Key, bool Publishing, int Clients);
}

/// <summary>Bounds on directory messages, well under Akka.Remote's 128 KB frame whatever the names.</summary>
public static class DirectoryLimits
{
    /// <summary>
    /// Stream keys (UTF-8 bytes) in one message. A key is at most 3 x 256 characters (see
    /// <see cref="Streams.StreamKey.IsValid"/>), at most ~2.3 KB of UTF-8, so a message always has room for one.
    /// </summary>
    public const int PayloadBytes = 32 * 1024;

    /// <summary>Entries a reader accepts in one message, and bytes in one string: a corrupt length never allocates much.</summary>
    public const int MaxEntries = 16 * 1024;
    public const int MaxStringBytes = 16 * 1024;

    /// <summary>What a key costs in a message: its UTF-8 bytes and a few bytes of framing.</summary>
    public static int Cost(string key) => System.Text.Encoding.UTF8.GetByteCount(key) + 3;
}
