using Srs.Actors.Cluster;

namespace Srs.Actors.Edge;

/// <summary>
/// Which origin an edge link tries next, and how long it waits first. Candidates come from the
/// origin directory, best first. After an attempt ends, the next one goes to the candidate after
/// the one that ended (so a static list is walked round, and an origin that stays silent is not
/// retried forever while another may hold the stream). The first round of failures moves on at
/// once; then each attempt waits longer (exponential backoff up to <see cref="MaxBackoff"/>).
/// An attempt that carried media resets the count.
/// </summary>
public sealed class UpstreamPlan
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private OriginEndpoint? _lastEnded;

    public IReadOnlyList<OriginEndpoint> Candidates { get; private set; } = [];

    /// <summary>Attempts in a row that ended without media (or found no candidate).</summary>
    public int Failures { get; private set; }

    public void SetCandidates(IReadOnlyList<OriginEndpoint> candidates) => Candidates = candidates;

    /// <summary>The origin to try now, or null when there is no candidate.</summary>
    public OriginEndpoint? Next()
    {
        if (Candidates.Count == 0) return null;
        var i = _lastEnded is null ? -1 : IndexOf(_lastEnded);
        return Candidates[(i + 1) % Candidates.Count];
    }

    /// <summary>An attempt on <paramref name="origin"/> ended; returns how long to wait before the next one.</summary>
    public TimeSpan Ended(OriginEndpoint origin, bool carriedMedia)
    {
        _lastEnded = origin;
        Failures = carriedMedia ? 0 : Failures + 1;
        return Delay();
    }

    /// <summary>No candidate to try: returns how long to wait before asking again.</summary>
    public TimeSpan NoCandidate()
    {
        Failures++;
        return Backoff(Failures);
    }

    /// <summary>Zero for the first failures of a round over the candidates, then exponential backoff.</summary>
    public TimeSpan Delay()
    {
        var round = Math.Max(1, Candidates.Count);
        return Failures < round ? TimeSpan.Zero : Backoff(Failures - round + 1);
    }

    public static TimeSpan Backoff(int attempt)
    {
        var ms = FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 16));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxBackoff.TotalMilliseconds));
    }

    private int IndexOf(OriginEndpoint origin)
    {
        for (var i = 0; i < Candidates.Count; i++)
            if (Candidates[i].Equals(origin)) return i;
        return -1;
    }
}
