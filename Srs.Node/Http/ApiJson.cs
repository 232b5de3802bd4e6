using Srs.Actors.Stats;

namespace Srs.Node.Http;

/// <summary>SRS-compatible JSON shapes of streams and clients.</summary>
public static class ApiJson
{
    public static object Stream(StreamStats s, ServerStats server) => new
    {
        id = s.Id,
        name = s.Key.Stream,
        vhost = s.Key.Vhost,
        app = s.Key.App,
        tcUrl = $"rtmp://{s.Key.Vhost}/{s.Key.App}",
        url = s.Key.Url,
        live_ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        clients = s.Clients,
        frames = s.Frames,
        send_bytes = 0L,
        recv_bytes = s.BytesIn,
        kbps = new { recv_30s = s.KbpsRecv, send_30s = 0 },
        publish = new { active = s.Publishing, cid = s.PublisherClientId },
        video = s.VideoCodec is null ? null : new
        {
            codec = s.VideoCodec,
            profile = s.VideoProfile,
            level = s.VideoLevel,
            width = s.Width,
            height = s.Height,
        },
        audio = s.AudioCodec is null ? null : new
        {
            codec = s.AudioCodec,
            sample_rate = s.AudioSampleRate,
            channel = s.AudioChannels,
            profile = s.AudioProfile,
        },
    };

    public static object Client(ClientStats c, ServerStats server) => new
    {
        id = c.Id,
        vhost = c.Vhost,
        stream = c.StreamId ?? FindStreamId(c, server),
        ip = HostOf(c.RemoteAddress),
        pageUrl = c.PageUrl,
        swfUrl = c.SwfUrl,
        tcUrl = c.TcUrl,
        url = c.App is null ? null : $"/{c.App}/{c.Stream}",
        name = c.Stream,
        type = c.Type switch
        {
            ClientType.RtmpPublish => "fmle-publish",
            ClientType.RtmpPlay => "rtmp-play",
            ClientType.FlvPlay => "flv-play",
            _ => "unknown",
        },
        publish = c.IsPublisher,
        alive = Math.Round((DateTimeOffset.UtcNow - c.Connected).TotalSeconds, 3),
        send_bytes = c.BytesOut,
        recv_bytes = c.BytesIn,
    };

    private static string? FindStreamId(ClientStats c, ServerStats server)
    {
        if (c.App is null || c.Stream is null) return null;
        foreach (var s in server.Streams.Values)
            if (s.Key.App == c.App && s.Key.Stream == c.Stream && s.Key.Vhost == c.Vhost) return s.Id;
        return null;
    }

    private static string HostOf(string endpoint)
    {
        var i = endpoint.LastIndexOf(':');
        return i > 0 ? endpoint[..i].Trim('[', ']') : endpoint;
    }
}
