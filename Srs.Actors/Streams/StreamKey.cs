namespace Srs.Actors.Streams;

/// <summary>
/// Identifies a stream the way SRS does: vhost, app and stream name, "vhost/app/stream".
/// Query strings (tokens, vhost overrides) are not part of the key.
/// </summary>
public readonly record struct StreamKey(string Vhost, string App, string Stream)
{
    public const string DefaultVhost = "__defaultVhost__";

    public override string ToString() => $"{Vhost}/{App}/{Stream}";

    /// <summary>The url path a player uses, "/app/stream".</summary>
    public string Url => $"/{App}/{Stream}";

    /// <summary>
    /// Builds the key from what an RTMP client sends: the connect app (which may carry
    /// "?vhost=..." as SRS allows) and the publish/play name (which may carry "?token=...").
    /// </summary>
    public static StreamKey FromRtmp(string? tcUrlHost, string app, string streamName)
    {
        var (appPath, appQuery) = SplitQuery(app);
        var (name, nameQuery) = SplitQuery(streamName);
        var vhost = QueryValue(nameQuery, "vhost") ?? QueryValue(appQuery, "vhost") ?? tcUrlHost;
        return new StreamKey(NormalizeVhost(vhost), appPath.Trim('/'), name.Trim('/'));
    }

    /// <summary>True when app and stream are non-empty and hold no path tricks.</summary>
    public bool IsValid =>
        IsSafeSegment(App, allowSlash: true) && IsSafeSegment(Stream, allowSlash: false) && IsSafeSegment(Vhost, allowSlash: false);

    private static bool IsSafeSegment(string s, bool allowSlash) =>
        s.Length is > 0 and <= 256 && !s.Contains("..") && (allowSlash || !s.Contains('/'))
        && s.All(c => !char.IsControl(c) && c != '\\');

    private static string NormalizeVhost(string? vhost)
    {
        // An IP address or empty host means the default vhost, as in SRS.
        if (string.IsNullOrEmpty(vhost) || System.Net.IPAddress.TryParse(vhost, out _) || vhost == "localhost")
            return DefaultVhost;
        return vhost;
    }

    private static (string Path, string Query) SplitQuery(string s)
    {
        var i = s.IndexOf('?');
        return i < 0 ? (s, "") : (s[..i], s[(i + 1)..]);
    }

    private static string? QueryValue(string query, string name)
    {
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq] == name) return part[(eq + 1)..];
        }
        return null;
    }
}
