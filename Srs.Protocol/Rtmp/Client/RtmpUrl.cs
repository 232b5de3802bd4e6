using System.Globalization;

namespace Srs.Protocol.Rtmp.Client;

/// <summary>
/// An RTMP address split the way servers read it: <c>rtmp://host[:port]/app/stream[?query]</c>.
/// The app is everything between the host and the last '/', the stream name the rest (query
/// included, as publishers send it); <see cref="TcUrl"/> is what connect carries.
/// </summary>
public sealed record RtmpUrl(string Host, int Port, string App, string Stream)
{
    public const int DefaultPort = 1935;

    /// <summary>The connect command's tcUrl: <c>rtmp://host:port/app</c>.</summary>
    public string TcUrl => $"rtmp://{HostForUrl}:{Port.ToString(CultureInfo.InvariantCulture)}/{App}";

    /// <summary>The same server and app with another stream name.</summary>
    public RtmpUrl WithStream(string stream) => this with { Stream = stream };

    public override string ToString() => $"{TcUrl}/{Stream}";

    private string HostForUrl => Host.Contains(':') ? $"[{Host}]" : Host;

    /// <summary>Throws <see cref="FormatException"/> when <paramref name="url"/> is not rtmp://host/app/stream.</summary>
    public static RtmpUrl Parse(string url)
    {
        const string scheme = "rtmp://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"'{url}': an RTMP URL starts with {scheme}");
        var rest = url[scheme.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0) throw new FormatException($"'{url}': no host or no app");

        var authority = rest[..slash];
        var path = rest[(slash + 1)..];
        var query = path.IndexOf('?');
        var lastSlash = (query < 0 ? path : path[..query]).LastIndexOf('/');
        if (lastSlash <= 0 || lastSlash == path.Length - 1)
            throw new FormatException($"'{url}': expected rtmp://host[:port]/app/stream");

        var (host, port) = SplitAuthority(authority, url);
        return new RtmpUrl(host, port, path[..lastSlash], path[(lastSlash + 1)..]);
    }

    private static (string Host, int Port) SplitAuthority(string authority, string url)
    {
        string host;
        string? port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) throw new FormatException($"'{url}': unclosed [ in the host");
            host = authority[1..close];
            if (close + 1 < authority.Length)
            {
                if (authority[close + 1] != ':') throw new FormatException($"'{url}': bad host");
                port = authority[(close + 2)..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            if (colon >= 0) port = authority[(colon + 1)..];
        }

        if (host.Length == 0) throw new FormatException($"'{url}': empty host");
        if (port is null) return (host, DefaultPort);
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            throw new FormatException($"'{url}': bad port '{port}'");
        return (host, p);
    }
}
