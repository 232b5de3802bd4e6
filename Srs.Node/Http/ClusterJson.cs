using Srs.Actors.Cluster;

namespace Srs.Node.Http;

/// <summary>JSON shapes of the cluster API, from the directory's <see cref="ClusterView"/>.</summary>
public static class ClusterJson
{
    public static ClusterViewJson Cluster(ClusterView view) => new(
        Self: view.SelfAddress,
        Leader: view.Leader,
        Members: view.Members.Select(m => new MemberJson(
            Address: m.Address,
            Roles: m.Roles,
            // Up, Joining, Leaving, Exiting, Down...; "draining" while an Up node runs its graceful quit.
            Status: m.Draining && m.Status == "Up" ? "Draining" : m.Status,
            MemberStatus: m.Status,
            Reachable: m.Reachable,
            Draining: m.Draining,
            Self: m.Address == view.SelfAddress,
            Rtmp: m.Info is null ? null : $"{m.Info.RtmpHost}:{m.Info.RtmpPort}",
            Clients: m.Info?.Clients ?? 0,
            Streams: m.Info?.Streams.Select(s => new MemberStreamJson(s.Key, s.Publishing, s.Clients)).ToArray() ?? [])).ToArray());

    public static ClusterStreamJson[] Streams(ClusterView view) =>
        view.Members.Where(m => m.Info is not null).SelectMany(m => m.Info!.Streams.Select(s =>
        {
            var parts = s.Key.Split('/', 3);
            return new ClusterStreamJson(
                Node: m.Address,
                Role: m.Info!.Role,
                Draining: m.Draining,
                Vhost: parts[0],
                App: parts.Length > 1 ? parts[1] : "",
                Name: parts.Length > 2 ? parts[2] : "",
                Url: parts.Length > 2 ? $"/{parts[1]}/{parts[2]}" : "",
                Publish: new ActiveJson(s.Publishing),
                Clients: s.Clients);
        })).ToArray();
}
