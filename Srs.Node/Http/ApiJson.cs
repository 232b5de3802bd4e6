using Srs.Actors.Edge;
using Srs.Actors.Lifecycle;
using Srs.Actors.Stats;
using Srs.Node.Startup;

namespace Srs.Node.Http;

/// <summary>SRS-compatible JSON shapes of streams and clients, and this process's <see cref="NodeView"/>.</summary>
public static class ApiJson
{
    private static readonly int Pid = Environment.ProcessId;

    /// <summary>
    /// This process as the API reports it. The other process of an upgrade in place is not a client:
    /// its pulls from here are left out of the clients and of each stream's count, and so is a pull
    /// from it feeding a stream here (the stream's encoder is counted there).
    /// </summary>
    public static NodeView LocalView(ServerStats stats, NodeState state)
    {
        var clients = new List<ClientJson>(stats.Clients.Count);
        Dictionary<string, int>? peerPlayers = null;
        foreach (var c in stats.Clients.Values.OrderBy(c => c.Connected))
        {
            if (!c.IsUpgradePeer) clients.Add(Client(c, stats));
            else if (c.App is not null && c.Stream is not null)
            {
                peerPlayers ??= new();
                var url = $"/{c.App}/{c.Stream}";
                peerPlayers[url] = peerPlayers.GetValueOrDefault(url) + 1;
            }
        }
        var streams = stats.Streams.Values.OrderBy(s => s.Created)
            .Select(s => Stream(s, peerPlayers?.GetValueOrDefault($"/{s.Key.App}/{s.Key.Stream}") ?? 0)).ToArray();
        var counters = new ServiceCounters(stats.ConnectionsAccepted, stats.SourcesCreated, stats.SourcesPassivated,
            stats.BytesIn, stats.BytesOut, stats.UpstreamBytesIn, stats.UpstreamBytesOut);
        return new NodeView(counters, [Process(stats, state)], clients, streams);
    }

    private static StreamJson Stream(StreamStats s, int peerPlayers) => new(
        Id: s.Id,
        Name: s.Key.Stream,
        Vhost: s.Key.Vhost,
        App: s.Key.App,
        TcUrl: $"rtmp://{s.Key.Vhost}/{s.Key.App}",
        Url: s.Key.Url,
        LiveMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Clients: Math.Max(0, s.Clients - peerPlayers - (EdgePuller.IsUpgradePeerPull(s.PublisherClientId) ? 1 : 0)),
        Frames: s.Frames,
        SendBytes: s.SendBytes,
        RecvBytes: s.BytesIn,
        Kbps: new KbpsJson(Recv30s: s.KbpsRecv, Send30s: s.KbpsSend),
        Publish: new PublishJson(s.Publishing, s.PublisherClientId),
        Video: s.VideoCodec is { } video ? new VideoJson(video, s.VideoProfile, s.VideoLevel, s.Width, s.Height) : null,
        Audio: s.AudioCodec is { } audio ? new AudioJson(audio, s.AudioSampleRate, s.AudioChannels, s.AudioProfile) : null,
        Pid: Pid);

    public static ClientJson Client(ClientStats c, ServerStats server) => new(
        Id: c.Id,
        Vhost: c.Vhost,
        Stream: FindStreamId(c, server),
        Ip: c.Ip,
        PageUrl: c.PageUrl,
        SwfUrl: c.SwfUrl,
        TcUrl: c.TcUrl,
        Url: c.App is null ? null : $"/{c.App}/{c.Stream}",
        Name: c.Stream,
        Type: c.Type switch
        {
            ClientType.RtmpPublish => "fmle-publish",
            ClientType.RtmpPlay => "rtmp-play",
            ClientType.FlvPlay => "flv-play",
            _ => "unknown",
        },
        Publish: c.IsPublisher,
        Alive: Math.Round((DateTimeOffset.UtcNow - c.Connected).TotalSeconds, 3),
        SendBytes: c.BytesOut,
        RecvBytes: c.BytesIn,
        Pid: Pid);

    /// <summary>
    /// One entry per stream: during an upgrade in place a stream lives in both processes (one holds
    /// the encoder, the other pulls from it). The entry is the one with the encoder, or else the
    /// first; its clients are the viewers of all, and so are its bytes sent and send rate (each process
    /// counts only its own viewers, not the other process pulling from it).
    /// </summary>
    public static IReadOnlyList<StreamJson> MergeStreams(IReadOnlyList<StreamJson> streams)
    {
        if (streams.Count < 2 || streams.All(s => s.Pid == streams[0].Pid)) return streams;
        return streams.GroupBy(s => (s.Vhost, s.App, s.Name)).Select(g =>
        {
            var entry = g.FirstOrDefault(s => s.Publish.Active && !EdgePuller.IsUpgradePeerPull(s.Publish.Cid)) ?? g.First();
            return entry with
            {
                Clients = g.Sum(s => s.Clients),
                SendBytes = g.Sum(s => s.SendBytes),
                Kbps = entry.Kbps with { Send30s = g.Sum(s => s.Kbps.Send30s) },
            };
        }).ToArray();
    }

    private static ProcessJson Process(ServerStats stats, NodeState state) => new(
        Pid: Pid,
        Version: NodeVersion.Text,
        Phase: state.Phase,
        Ready: state.Ready,
        Reason: state.NotReadyReason,
        UptimeSeconds: (long)(DateTimeOffset.UtcNow - stats.Started).TotalSeconds,
        // Environment's readings, not Process's: the same figures without loading System.Diagnostics.Process.
        RssBytes: Environment.WorkingSet,
        CpuSeconds: Environment.CpuUsage.TotalTime.TotalSeconds,
        GcHeapBytes: GC.GetTotalMemory(false),
        GcAllocatedBytes: GC.GetTotalAllocatedBytes(),
        GcCollections: Enumerable.Range(0, GC.MaxGeneration + 1).Select(GC.CollectionCount).ToArray());

    private static string? FindStreamId(ClientStats c, ServerStats server)
    {
        if (c.App is null || c.Stream is null) return null;
        foreach (var s in server.Streams.Values)
            if (s.Key.App == c.App && s.Key.Stream == c.Stream && s.Key.Vhost == c.Vhost) return s.Id;
        return null;
    }
}
