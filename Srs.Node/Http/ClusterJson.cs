using Srs.Actors.Cluster;

namespace Srs.Node.Http;

/// <summary>JSON shapes of the cluster API, from the directory's <see cref="ClusterView"/>.</summary>
public static class ClusterJson
{
    public static object Cluster(ClusterView view) => new
    {
        self = view.SelfAddress,
        leader = view.Leader,
        members = view.Members.Select(m => new
        {
            address = m.Address,
            roles = m.Roles,
            // Up, Joining, Leaving, Exiting, Down...; "draining" while an Up node runs its graceful quit.
            status = m.Draining && m.Status == "Up" ? "Draining" : m.Status,
            member_status = m.Status,
            reachable = m.Reachable,
            draining = m.Draining,
            self = m.Address == view.SelfAddress,
            rtmp = m.Info is null ? null : $"{m.Info.RtmpHost}:{m.Info.RtmpPort}",
            clients = m.Info?.Clients ?? 0,
            streams = m.Info?.Streams.Select(s => new { stream = s.Key, publishing = s.Publishing, clients = s.Clients }).ToArray() ?? [],
        }).ToArray(),
    };

    public static object[] Streams(ClusterView view) =>
        view.Members.Where(m => m.Info is not null).SelectMany(m => m.Info!.Streams.Select(s =>
        {
            var parts = s.Key.Split('/', 3);
            return (object)new
            {
                node = m.Address,
                role = m.Info!.Role,
                draining = m.Draining,
                vhost = parts[0],
                app = parts.Length > 1 ? parts[1] : "",
                name = parts.Length > 2 ? parts[2] : "",
                url = parts.Length > 2 ? $"/{parts[1]}/{parts[2]}" : "",
                publish = new { active = s.Publishing },
                clients = s.Clients,
            };
        })).ToArray();
}
