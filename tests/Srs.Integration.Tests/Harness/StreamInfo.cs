using System.Text.Json;

namespace Srs.Integration.Tests.Harness;

/// <summary>One entry of GET /api/v1/streams (section 7), with the fields the contract names.</summary>
public sealed record StreamInfo(
    string Id, string Name, string Vhost, string App, int Clients, long Frames,
    long SendBytes, long RecvBytes, int Send30s, int Recv30s,
    bool PublishActive, string? PublishCid,
    string? VideoCodec, int? Width, int? Height,
    string? AudioCodec, int? SampleRate,
    JsonElement Raw)
{
    public static StreamInfo Parse(JsonElement s)
    {
        var publish = s.Req("publish");
        var video = s.ObjOrNull("video");
        var audio = s.ObjOrNull("audio");
        var kbps = s.Req("kbps");
        return new StreamInfo(
            s.Str("id"), s.Str("name"), s.Str("vhost"), s.Str("app"),
            (int)s.Num("clients"), (long)s.Num("frames"),
            (long)s.Num("send_bytes"), (long)s.Num("recv_bytes"), (int)kbps.Num("send_30s"), (int)kbps.Num("recv_30s"),
            publish.Bool("active"), publish.StrOrNull("cid"),
            video?.Str("codec"), video is { } v ? (int)v.Num("width") : null, video is { } v2 ? (int)v2.Num("height") : null,
            audio?.Str("codec"), audio is { } a ? (int)a.Num("sample_rate") : null,
            s.Clone());
    }

    public override string ToString() => Raw.GetRawText();
}
