using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Actors.Cluster;

/// <summary>
/// The streams published on this node, as the directory announces them: the set, the number of
/// the last change sent, and the changes not sent yet (coalesced: a stream published and
/// unpublished before the next send is sent once, in its final state).
/// </summary>
public sealed class OwnStreams(long incarnation)
{
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _pending = new(StringComparer.Ordinal);

    public long Incarnation { get; } = incarnation;
    public long Seq { get; private set; }
    public int Count => _published.Count;
    public bool HasPending => _pending.Count > 0;

    public bool Contains(string key) => _published.Contains(key);

    /// <summary>Records a change; false when it changes nothing (already in that state).</summary>
    public bool Set(string key, bool publishing)
    {
        if (!(publishing ? _published.Add(key) : _published.Remove(key))) return false;
        _pending[key] = publishing;
        return true;
    }

    /// <summary>
    /// The pending changes as numbered deltas, each within <see cref="DirectoryLimits.PayloadBytes"/>;
    /// with none pending, one delta that carries only <paramref name="summary"/> (a summary change that routing must see at once).
    /// </summary>
    public IReadOnlyList<Delta> TakeDeltas(NodeSummary summary)
    {
        var deltas = new List<Delta>();
        List<string> published = [], unpublished = [];
        var bytes = 0;
        foreach (var (key, publishing) in _pending)
        {
            var cost = DirectoryLimits.Cost(key);
            if (bytes + cost > DirectoryLimits.PayloadBytes && bytes > 0)
            {
                deltas.Add(new Delta(Incarnation, ++Seq, summary, published, unpublished));
                (published, unpublished, bytes) = ([], [], 0);
            }
            (publishing ? published : unpublished).Add(key);
            bytes += cost;
        }
        if (bytes > 0 || deltas.Count == 0) deltas.Add(new Delta(Incarnation, ++Seq, summary, published, unpublished));
        _pending.Clear();
        return deltas;
    }

    /// <summary>Every published stream as of <see cref="Seq"/>, in parts within <see cref="DirectoryLimits.PayloadBytes"/>. Take pending changes first.</summary>
    public IEnumerable<Snapshot> Snapshot(NodeSummary summary)
    {
        if (HasPending) throw new InvalidOperationException("pending changes must be sent before a snapshot");
        var part = new List<string>();
        var (index, bytes) = (0, 0);
        foreach (var key in _published)
        {
            var cost = DirectoryLimits.Cost(key);
            if (bytes + cost > DirectoryLimits.PayloadBytes && bytes > 0)
            {
                yield return new Snapshot(Incarnation, Seq, summary, index++, Last: false, part);
                (part, bytes) = ([], 0);
            }
            part.Add(key);
            bytes += cost;
        }
        yield return new Snapshot(Incarnation, Seq, summary, index, Last: true, part);
    }
}
