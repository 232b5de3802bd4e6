namespace Srs.Actors.Lifecycle;

/// <summary>
/// Whether this node takes new clients, and how far a quit has gone. Read by the health and
/// metrics endpoints; written by the shutdown sequence.
/// </summary>
public sealed class NodeState
{
    private volatile string? _notReadyReason = NodePhase.Starting;
    private volatile string _phase = NodePhase.Starting;

    public bool Ready => _notReadyReason is null;
    public string? NotReadyReason => _notReadyReason;

    /// <summary>One of <see cref="NodePhase"/>: starting, running, draining, stopping...</summary>
    public string Phase => _phase;

    /// <summary>True from the start of a quit (graceful or fast): the node takes no new work.</summary>
    public bool IsQuitting => _phase is not (NodePhase.Starting or NodePhase.Running);

    public void MarkRunning()
    {
        _phase = NodePhase.Running;
        _notReadyReason = null;
    }

    public void MarkQuitting(string phase, string reason)
    {
        _phase = phase;
        _notReadyReason = reason;
    }

    public void SetPhase(string phase) => _phase = phase;
}
