namespace Srs.Actors.Cluster;

/// <summary>One member as this node sees it: cluster status plus what the member announced.</summary>
public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, NodeInfo? Info)
{
    public bool Draining => Info?.Draining ?? false;
}

/// <summary>
/// The cluster as this node sees it, replaced whole by the directory on every change (readers,
/// such as the HTTP API, take the current snapshot without locks).
/// </summary>
public sealed record ClusterView(string SelfAddress, string? Leader, IReadOnlyList<MemberView> Members)
{
    public static readonly ClusterView Empty = new("", null, []);
}

/// <summary>Holds the latest <see cref="ClusterView"/> for readers outside the actor system.</summary>
public sealed class ClusterViewHolder
{
    private volatile ClusterView _current = ClusterView.Empty;
    public ClusterView Current { get => _current; set => _current = value; }
}
