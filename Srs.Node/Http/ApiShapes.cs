using System.Text.Json.Serialization;

namespace Srs.Node.Http;

// The HTTP API's JSON bodies, in SRS's field names (snake_case, except SRS's own tcUrl, pageUrl
// and swfUrl). Serialized by source-generated code (ApiJsonContext): no reflection and no emitted
// code at the first request.

public sealed record ErrorBody(int Code, string Server, string Message);
public sealed record OkBody(int Code, string Server);
public sealed record StatusBody(int Code, string Server, string Status);
public sealed record NotReadyBody(int Code, string Server, string Status, string? Reason);
public sealed record GcBody(int Code, string Server, long HeapBytes, long RssBytes);

public sealed record VersionsBody(int Code, string Server, VersionData Data);
public sealed record VersionData(int Major, int Minor, int Revision, string Version);

public sealed record SummariesBody(int Code, string Server, SummaryData Data);
public sealed record SummaryData(bool Ok, long NowMs, SummarySelf Self, SummarySystem System, SummaryShutdown Shutdown,
    IReadOnlyList<ProcessJson> Processes);
public sealed record SummarySelf(string Version, int Pid, long MemKbyte, long SrsUptime);
public sealed record SummarySystem(int Cpus, int ConnSrs, int Streams, long RecvBytes, long SendBytes);
/// <summary>
/// Where this process is in a quit (<paramref name="Phase"/> "running" until one begins), and its own
/// clients (the other process of an upgrade in place not counted): they drain only once a quit has begun.
/// </summary>
public sealed record SummaryShutdown(string Phase, bool Ready, string? Reason, int Clients);

public sealed record StreamsBody(int Code, string Server, IReadOnlyList<StreamJson> Streams);
public sealed record StreamBody(int Code, string Server, StreamJson Stream);
public sealed record StreamJson(
    string Id, string Name, string Vhost, string App,
    [property: JsonPropertyName("tcUrl")] string TcUrl,
    string Url, long LiveMs, int Clients, long Frames, long SendBytes, long RecvBytes,
    KbpsJson Kbps, PublishJson Publish, VideoJson? Video, AudioJson? Audio, int Pid);
public sealed record KbpsJson(
    [property: JsonPropertyName("recv_30s")] int Recv30s,
    [property: JsonPropertyName("send_30s")] int Send30s);
public sealed record PublishJson(bool Active, string? Cid);
public sealed record VideoJson(string Codec, string? Profile, string? Level, int Width, int Height);
public sealed record AudioJson(string Codec, int SampleRate, int Channel, string? Profile);

public sealed record ClientsBody(int Code, string Server, IReadOnlyList<ClientJson> Clients);
public sealed record ClientBody(int Code, string Server, ClientJson Client);
public sealed record ClientJson(
    string Id, string? Vhost, string? Stream, string Ip,
    [property: JsonPropertyName("pageUrl")] string? PageUrl,
    [property: JsonPropertyName("swfUrl")] string? SwfUrl,
    [property: JsonPropertyName("tcUrl")] string? TcUrl,
    string? Url, string? Name, string Type, bool Publish, double Alive, long SendBytes, long RecvBytes, int Pid);

public sealed record ClusterBody(int Code, string Server, ClusterViewJson Cluster);
public sealed record ClusterViewJson(string Self, string? Leader, IReadOnlyList<MemberJson> Members);
public sealed record MemberJson(
    string Address, IReadOnlyList<string> Roles, string Status, string MemberStatus, bool Reachable, bool Draining,
    bool Self, string? Rtmp, int Clients, int Streams, int Published, bool Synced);

public sealed record ClusterStreamsBody(int Code, string Server, int Total, int Start, IReadOnlyList<ClusterStreamJson> Streams);
public sealed record ClusterStreamJson(
    string Node, string Role, bool Draining, string Vhost, string App, string Name, string Url, ActiveJson Publish, int Clients);
public sealed record ActiveJson(bool Active);

public sealed record OriginsBody(int Code, string Server, string Stream, IReadOnlyList<OriginJson> Origins);
public sealed record OriginJson(string Node, string Rtmp);

/// <summary>
/// One process serving this node's ports: the answering one, and during an upgrade in place the
/// other(s) it is linked to. Its own figures, which a sum across processes would make meaningless.
/// </summary>
public sealed record ProcessJson(
    int Pid, string Version, string Phase, bool Ready, string? Reason, long UptimeSeconds, long RssBytes, double CpuSeconds,
    long GcHeapBytes, long GcAllocatedBytes, IReadOnlyList<int> GcCollections);

/// <summary>The node's counters, summed over its processes (and those that have exited, once linked).</summary>
public sealed record ServiceCounters(
    long ConnectionsAccepted, long SourcesCreated, long SourcesPassivated, long BytesIn, long BytesOut,
    long UpstreamBytesIn, long UpstreamBytesOut)
{
    public static readonly ServiceCounters Zero = new(0, 0, 0, 0, 0, 0, 0);

    public ServiceCounters Plus(ServiceCounters o) => new(
        ConnectionsAccepted + o.ConnectionsAccepted, SourcesCreated + o.SourcesCreated, SourcesPassivated + o.SourcesPassivated,
        BytesIn + o.BytesIn, BytesOut + o.BytesOut, UpstreamBytesIn + o.UpstreamBytesIn, UpstreamBytesOut + o.UpstreamBytesOut);
}

/// <summary>
/// What the API reports: the clients, streams, counters and processes of this process, and during an
/// upgrade in place of the processes linked to it. Also what one process sends the other (UpgradeStatsSocket).
/// </summary>
public sealed record NodeView(
    ServiceCounters Counters, IReadOnlyList<ProcessJson> Processes, IReadOnlyList<ClientJson> Clients, IReadOnlyList<StreamJson> Streams)
{
    public NodeView Plus(NodeView o) => new(Counters.Plus(o.Counters), [.. Processes, .. o.Processes], [.. Clients, .. o.Clients], [.. Streams, .. o.Streams]);
}
