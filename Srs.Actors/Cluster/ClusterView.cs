namespace Srs.Actors.Cluster;

/// <summary>
/// One member as this node sees it: cluster status, the summary it sent, and this node's replica
/// of its published streams (<paramref name="Published"/> streams, up to date when <paramref name="Synced"/>).
/// </summary>
public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable,
    NodeSummary? Summary, int Published, bool Synced)
{
    public bool Draining => Summary?.Draining ?? false;
}

/// <summary>
/// The cluster as this node sees it, replaced whole by the directory on every change (readers,
/// such as the HTTP API, take the current snapshot without locks). Its size grows with the
/// members, never with the streams.
/// </summary>
public sealed record ClusterView(string SelfAddress, string? Leader, IReadOnlyList<MemberView> Members)
{
    public static readonly ClusterView Empty = new("", null, []);

    /// <summary>Another member of <paramref name="role"/> is Up, reachable and not draining: a client leaving this node can go there.</summary>
    public bool HasOtherServing(string role) =>
        Members.Any(m => m.Address != SelfAddress && m.Roles.Contains(role) && m.Status == "Up" && m.Reachable && !m.Draining);
}

/// <summary>Holds the latest <see cref="ClusterView"/> for readers outside the actor system.</summary>
public sealed class ClusterViewHolder
{
    private volatile ClusterView _current = ClusterView.Empty;
    public ClusterView Current { get => _current; set => _current = value; }
}
