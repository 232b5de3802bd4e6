using Srs.Actors.Cluster;

namespace Srs.Actors.Upgrade;

/// <summary>
/// The other process of an upgrade in place, on an origin: the previous one while it runs (this
/// node pulls the streams it lacks from it), or the next one once it has taken the listening
/// sockets (a draining node pulls from it, for its own viewers, the streams whose encoders moved
/// there). Each is reached on its private Unix socket, never on a port.
/// </summary>
public sealed class UpgradePeers(PreviousProcess? previous)
{
    private volatile OriginEndpoint? _next;

    public PreviousProcess? Previous { get; } = previous;

    /// <summary>The next process's media socket, while its upgrade link is open.</summary>
    public OriginEndpoint? Next => _next;

    public bool PreviousRuns => Previous is { Gone: false };

    public void SetNext(string mediaSocket) => _next = new OriginEndpoint(OriginEndpoint.NextProcess, mediaSocket, 0);

    public void NextGone() => _next = null;

    /// <summary>
    /// Where a source of this node pulls from now, best first: the next process, then the previous
    /// one while it runs; none outside an upgrade. Encoders only move forward (to the newest
    /// process), so once this node has a next one, a stream it lacks is there or on its way there;
    /// the previous process still has it only from an encoder that did not move.
    /// </summary>
    public IReadOnlyList<OriginEndpoint> PullFrom => (_next, PreviousRuns ? Previous!.Endpoint : null) switch
    {
        ({ } next, { } previous) => [next, previous],
        ({ } next, null) => [next],
        (null, { } previous) => [previous],
        _ => [],
    };

    /// <summary>
    /// Whether a source without a publisher pulls: from the previous process while it runs; from the
    /// next one only while this node drains (before that, its own encoders publish here).
    /// </summary>
    public bool WantsPull(bool draining) => PreviousRuns || (draining && _next is not null);
}
