namespace Srs.Bench.Cluster;

/// <summary>
/// Warning lines of one node's output, by kind, counted as they arrive (the bench keeps no whole
/// log in memory); the first line of each kind is kept as an example. A line counts for the first
/// of the message kinds it matches (a delayed-heartbeat warning also says "unreachable"), and
/// for its level (<c>fail:</c>, <c>warn:</c>) as well.
/// </summary>
public sealed class NodeLogCounters
{
    /// <summary>Name for tables and RESULT fields, the texts that mark a line (case-insensitive), and whether it is a level.</summary>
    public static readonly (string Name, string[] Texts, bool Level)[] Kinds =
    [
        ("hb_growing", ["heartbeat interval is growing too large"], false),
        ("hb_delayed", ["Scheduled sending of heartbeat was delayed"], false),
        ("oversized", ["OversizedPayload"], false),
        ("unreachable", ["unreachable"], false),
        ("downed", ["SBR took decision", "marked as DOWN", "has been downed"], false),
        ("fail", ["fail:", "crit:"], true),
        ("warn", ["warn:"], true),
    ];

    private readonly long[] _counts = new long[Kinds.Length];
    private readonly string?[] _examples = new string?[Kinds.Length];

    public void OnLine(string line)
    {
        var messageCounted = false;
        for (var k = 0; k < Kinds.Length; k++)
        {
            if (!Kinds[k].Level && messageCounted) continue;
            if (!Kinds[k].Texts.Any(t => line.Contains(t, StringComparison.OrdinalIgnoreCase))) continue;
            messageCounted |= !Kinds[k].Level;
            Interlocked.Increment(ref _counts[k]);
            Interlocked.CompareExchange(ref _examples[k], line, null);
        }
    }

    /// <summary>Forgets the examples so far (those of the start), so the next ones are the run's.</summary>
    public void ForgetExamples()
    {
        for (var k = 0; k < Kinds.Length; k++) Volatile.Write(ref _examples[k], null);
    }

    /// <summary>The counts so far, in the order of <see cref="Kinds"/>.</summary>
    public long[] Snapshot()
    {
        var counts = new long[Kinds.Length];
        for (var k = 0; k < counts.Length; k++) counts[k] = Interlocked.Read(ref _counts[k]);
        return counts;
    }

    /// <summary>The first line of kind <paramref name="kind"/>, or null.</summary>
    public string? Example(int kind) => Volatile.Read(ref _examples[kind]);
}
