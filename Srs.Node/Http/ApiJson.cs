using Srs.Actors.Stats;

namespace Srs.Node.Http;

/// <summary>SRS-compatible JSON shapes of streams and clients.</summary>
public static class ApiJson
{
    public static StreamJson Stream(StreamStats s) => new(
        Id: s.Id,
        Name: s.Key.Stream,
        Vhost: s.Key.Vhost,
        App: s.Key.App,
        TcUrl: $"rtmp://{s.Key.Vhost}/{s.Key.App}",
        Url: s.Key.Url,
        LiveMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Clients: s.Clients,
        Frames: s.Frames,
        SendBytes: 0,
        RecvBytes: s.BytesIn,
        Kbps: new KbpsJson(Recv30s: s.KbpsRecv, Send30s: 0),
        Publish: new PublishJson(s.Publishing, s.PublisherClientId),
        Video: s.VideoCodec is { } video ? new VideoJson(video, s.VideoProfile, s.VideoLevel, s.Width, s.Height) : null,
        Audio: s.AudioCodec is { } audio ? new AudioJson(audio, s.AudioSampleRate, s.AudioChannels, s.AudioProfile) : null);

    public static ClientJson Client(ClientStats c, ServerStats server) => new(
        Id: c.Id,
        Vhost: c.Vhost,
        Stream: c.StreamId ?? FindStreamId(c, server),
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
        RecvBytes: c.BytesIn);

    private static string? FindStreamId(ClientStats c, ServerStats server)
    {
        if (c.App is null || c.Stream is null) return null;
        foreach (var s in server.Streams.Values)
            if (s.Key.App == c.App && s.Key.Stream == c.Stream && s.Key.Vhost == c.Vhost) return s.Id;
        return null;
    }
}
