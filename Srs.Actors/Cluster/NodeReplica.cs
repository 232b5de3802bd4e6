using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Actors.Cluster;

/// <summary>
/// Another node's published streams as this node holds them, kept by the owner's snapshot and
/// numbered deltas. Not <see cref="Synced"/> until a whole snapshot has arrived, and again after a
/// gap in the numbers: the directory then subscribes again, routes by the set it has meanwhile, and
/// the next snapshot replaces it.
/// </summary>
public sealed class NodeReplica
{
    private HashSet<string> _published = new(StringComparer.Ordinal);
    private HashSet<string>? _incoming;
    private int _nextPart;

    public long Incarnation { get; private set; } = -1;
    public long Seq { get; private set; }
    public bool Synced { get; private set; }
    public NodeSummary? Summary { get; private set; }
    public int Count => _published.Count;

    /// <summary>When a subscription was last asked for (to retry one that got no snapshot).</summary>
    public DateTime SubscribedAt { get; set; } = DateTime.MinValue;

    public bool Contains(string key) => _published.Contains(key);

    /// <summary>
    /// Applies one part; on the last, the streams whose presence changed are added to
    /// <paramref name="changed"/>. False when a part is missing (lost with a broken association): subscribe again.
    /// </summary>
    public bool Apply(Snapshot part, List<string> changed)
    {
        if (part.Incarnation != Incarnation) Reset(part.Incarnation);
        if (part.Part == 0) (_incoming, _nextPart) = (new HashSet<string>(StringComparer.Ordinal), 0);
        if (_incoming is null || part.Part != _nextPart)
        {
            _incoming = null;
            return false;
        }
        _nextPart++;
        _incoming.UnionWith(part.Streams);
        Summary = part.Summary;
        if (!part.Last) return true;

        foreach (var key in _published) if (!_incoming.Contains(key)) changed.Add(key);
        foreach (var key in _incoming) if (!_published.Contains(key)) changed.Add(key);
        _published = _incoming;
        _incoming = null;
        Seq = part.Seq;
        Synced = true;
        return true;
    }

    /// <summary>Applies a delta; false when it cannot be (not synced, another incarnation, a gap): subscribe again.</summary>
    public bool Apply(Delta delta, List<string> changed)
    {
        if (!Synced || delta.Incarnation != Incarnation) return false;
        if (delta.Seq <= Seq) return true; // already in the snapshot
        if (delta.Seq != Seq + 1)
        {
            Synced = false;
            return false;
        }
        Seq = delta.Seq;
        Summary = delta.Summary;
        foreach (var key in delta.Published) if (_published.Add(key)) changed.Add(key);
        foreach (var key in delta.Unpublished) if (_published.Remove(key)) changed.Add(key);
        return true;
    }

    /// <summary>Takes a digest's summary; false when the owner is ahead of this replica or another incarnation: subscribe again.</summary>
    public bool Apply(Digest digest)
    {
        if (digest.Incarnation != Incarnation) return false;
        Summary = digest.Summary;
        if (!Synced || digest.Seq == Seq) return Synced;
        Synced = false;
        return false;
    }

    private void Reset(long incarnation)
    {
        Incarnation = incarnation;
        Seq = 0;
        Synced = false;
        _published = new HashSet<string>(StringComparer.Ordinal);
        _incoming = null;
    }
}
