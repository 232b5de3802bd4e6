using System.Text.Json;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// One entry of GET /api/v1/clients (section 7). Every contract field must be present; vhost,
/// stream and tcUrl may be null while the connection has not said them yet (mid-handshake).
/// </summary>
public sealed record ClientInfo(string Id, string? Vhost, string? Stream, string Ip, string Type, bool Publish,
    string? TcUrl, double Alive, long SendBytes, long RecvBytes, JsonElement Raw)
{
    public const string FmlePublish = "fmle-publish";
    public const string RtmpPlay = "rtmp-play";
    public const string FlvPlay = "flv-play";

    public static ClientInfo Parse(JsonElement c)
    {
        foreach (var field in new[] { "vhost", "stream", "pageUrl", "swfUrl", "tcUrl", "url" }) c.Req(field);
        return new ClientInfo(
            c.Str("id"), c.StrOrNull("vhost"), c.StrOrNull("stream"), c.Str("ip"), c.Str("type"), c.Bool("publish"),
            c.StrOrNull("tcUrl"), c.Num("alive"), (long)c.Num("send_bytes"), (long)c.Num("recv_bytes"), c.Clone());
    }

    public override string ToString() => Raw.GetRawText();
}
