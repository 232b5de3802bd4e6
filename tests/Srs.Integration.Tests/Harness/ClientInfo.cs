using System.Text.Json;

namespace Srs.Integration.Tests.Harness;

/// <summary>One entry of GET /api/v1/clients (section 7).</summary>
public sealed record ClientInfo(string Id, string Vhost, string Stream, string Ip, string Type, bool Publish,
    string? TcUrl, double Alive, long SendBytes, long RecvBytes, JsonElement Raw)
{
    public const string FmlePublish = "fmle-publish";
    public const string RtmpPlay = "rtmp-play";
    public const string FlvPlay = "flv-play";

    public static ClientInfo Parse(JsonElement c) => new(
        c.Str("id"), c.Str("vhost"), c.Str("stream"), c.Str("ip"), c.Str("type"), c.Bool("publish"),
        c.StrOrNull("tcUrl"), c.Num("alive"), (long)c.Num("send_bytes"), (long)c.Num("recv_bytes"), c.Clone());

    public override string ToString() => Raw.GetRawText();
}
