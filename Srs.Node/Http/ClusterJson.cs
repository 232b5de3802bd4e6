using Akka.Actor;
using Srs.Actors.Cluster;
using Srs.Actors.Streams;
using static Srs.Actors.Cluster.DirectoryProtocol;

namespace Srs.Node.Http;

/// <summary>JSON shapes of the cluster API: members from the directory's <see cref="ClusterView"/>, streams asked of the nodes on demand.</summary>
public static class ClusterJson
{
    /// <summary>Most streams one page of <c>/api/v1/streams?scope=cluster</c> holds.</summary>
    public const int MaxPage = 1000;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

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
            Rtmp: m.Summary is null ? null : $"{m.Summary.RtmpHost}:{m.Summary.RtmpPort}",
            Clients: m.Summary?.Clients ?? 0,
            Streams: m.Summary?.Streams ?? 0,
            Published: m.Published,
            Synced: m.Synced)).ToArray());

    /// <summary>
    /// Streams <paramref name="start"/> to start + <paramref name="count"/> of the cluster, ordered by
    /// node address then stream key: each node's count comes from its summary (a second old at most),
    /// and only the nodes the page covers are asked for their streams. A node that does not answer
    /// in time is left out of the page.
    /// </summary>
    public static async Task<ClusterStreamsBody> StreamsAsync(ActorSystem system, ClusterView view, string server, int start, int count)
    {
        var members = view.Members.Where(m => m.Summary is not null && m.Reachable && m.Status is not ("Down" or "Removed")).ToArray();
        var total = members.Sum(m => m.Summary!.Streams);
        var page = new List<ClusterStreamJson>();
        var offset = 0;
        foreach (var member in members)
        {
            var from = Math.Max(0, start - offset);
            offset += member.Summary!.Streams;
            while (page.Count < count && from < member.Summary.Streams)
            {
                StreamsPage answer;
                try
                {
                    answer = await system.ActorSelection($"{member.Address}/user/directory")
                        .Ask<StreamsPage>(new StreamsPageRequest(from, count - page.Count), AskTimeout);
                }
                catch (AskTimeoutException)
                {
                    break;
                }
                if (answer.Streams.Count == 0) break;
                page.AddRange(answer.Streams.Select(s => Stream(member, s)));
                from += answer.Streams.Count;
            }
            if (page.Count >= count) break;
        }
        return new ClusterStreamsBody(0, server, total, start, page);
    }

    public static OriginsBody Origins(string server, StreamKey key, IReadOnlyList<OriginEndpoint> origins) =>
        new(0, server, key.ToString(), origins.Select(o => new OriginJson(o.Node, o.ToString())).ToArray());

    private static ClusterStreamJson Stream(MemberView member, StreamEntry s)
    {
        var parts = s.Key.Split('/', 3);
        return new ClusterStreamJson(
            Node: member.Address,
            Role: member.Summary!.Role,
            Draining: member.Draining,
            Vhost: parts[0],
            App: parts.Length > 1 ? parts[1] : "",
            Name: parts.Length > 2 ? parts[2] : "",
            Url: parts.Length > 2 ? $"/{parts[1]}/{parts[2]}" : "",
            Publish: new ActiveJson(s.Publishing),
            Clients: s.Clients);
    }
}
