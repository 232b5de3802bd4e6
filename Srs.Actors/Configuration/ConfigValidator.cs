using Akka.Configuration;

namespace Srs.Actors.Configuration;

/// <summary>
/// Checks a configuration as `srs -t` / `nginx -t` do: every error names its key path.
/// Unknown keys under `srs` are errors too, so a typo never silently falls back to a default.
/// </summary>
public static class ConfigValidator
{
    private enum Kind { String, Bool, Duration, DurationOrOff, PositiveDuration, Int, EndPoint, Role, HostPortList, UrlList, UpgradeSocket }

    private static readonly Dictionary<string, Kind> Known = new()
    {
        ["role"] = Kind.Role,
        ["rtmp.listen"] = Kind.EndPoint,
        ["rtmp.chunk-size"] = Kind.Int,
        ["rtmp.max-chunk-size"] = Kind.Int,
        ["rtmp.max-message-size"] = Kind.Int,
        ["rtmp.max-chunk-streams"] = Kind.Int,
        ["rtmp.handshake-timeout"] = Kind.PositiveDuration,
        ["rtmp.publisher-timeout"] = Kind.PositiveDuration,
        ["http-api.enabled"] = Kind.Bool,
        ["http-api.listen"] = Kind.EndPoint,
        ["http-api.debug"] = Kind.Bool,
        ["http-server.enabled"] = Kind.Bool,
        ["http-server.listen"] = Kind.EndPoint,
        ["reuseport"] = Kind.Bool,
        ["upgrade-socket"] = Kind.UpgradeSocket,
        ["grace-start-wait"] = Kind.Duration,
        ["grace-final-wait"] = Kind.Duration,
        ["grace-max-wait"] = Kind.DurationOrOff,
        ["force-grace-quit"] = Kind.Bool,
        ["source.idle-timeout"] = Kind.Duration,
        ["gop-cache"] = Kind.Bool,
        ["queue-length"] = Kind.Duration,
        ["mw-latency"] = Kind.Duration,
        ["mw-phases"] = Kind.Int,
        ["mw-phase-players"] = Kind.Int,
        ["io-uring"] = Kind.Bool,
        ["edge.origins"] = Kind.HostPortList,
        ["hooks.on-connect"] = Kind.UrlList,
        ["hooks.on-publish"] = Kind.UrlList,
        ["hooks.on-unpublish"] = Kind.UrlList,
        ["hooks.on-play"] = Kind.UrlList,
        ["hooks.on-stop"] = Kind.UrlList,
        ["hooks.timeout"] = Kind.Duration,
    };

    /// <summary>Errors as "key.path: what is wrong"; empty when the config is valid.</summary>
    public static IReadOnlyList<string> Validate(Config root)
    {
        var errors = new List<string>();
        var srs = root.GetConfig("srs");
        if (srs is null || srs.IsEmpty)
        {
            errors.Add("srs: missing section");
            return errors;
        }

        foreach (var path in LeafPaths(srs.Root, ""))
            if (!Known.ContainsKey(path))
                errors.Add($"srs.{path}: unknown key");

        foreach (var (path, kind) in Known)
        {
            if (!srs.HasPath(path)) continue;
            if (!HasValue(srs, path))
            {
                errors.Add($"srs.{path}: has no value");
                continue;
            }
            var error = Check(srs, path, kind);
            if (error is not null) errors.Add($"srs.{path}: {error}");
        }

        if (srs.HasPath("rtmp.chunk-size") && Check(srs, "rtmp.chunk-size", Kind.Int) is null
            && srs.GetInt("rtmp.chunk-size") is < 128 or > 65536)
            errors.Add("srs.rtmp.chunk-size: must be between 128 and 65536");
        if (srs.HasPath("mw-latency") && Check(srs, "mw-latency", Kind.Duration) is null
            && srs.GetTimeSpan("mw-latency") is var mw && (mw < TimeSpan.Zero || mw > TimeSpan.FromSeconds(1)))
            errors.Add("srs.mw-latency: must be between 0ms and 1s");
        if (srs.HasPath("mw-phases") && Check(srs, "mw-phases", Kind.Int) is null
            && srs.GetInt("mw-phases") is < 1 or > Media.MergeWindow.MaxPhases)
            errors.Add($"srs.mw-phases: must be between 1 and {Media.MergeWindow.MaxPhases}");
        foreach (var key in new[] { "rtmp.max-chunk-size", "rtmp.max-message-size", "rtmp.max-chunk-streams", "mw-phase-players" })
            if (srs.HasPath(key) && Check(srs, key, Kind.Int) is null && srs.GetInt(key) <= 0)
                errors.Add($"srs.{key}: must be positive");

        if (root.HasPath("akka.remote.dot-netty.tcp.port"))
        {
            var portError = Try(() => root.GetInt("akka.remote.dot-netty.tcp.port") is >= 0 and <= 65535 ? null : "must be 0..65535");
            if (portError is not null) errors.Add($"akka.remote.dot-netty.tcp.port: {portError}");
        }
        return errors;
    }

    private static string? Check(Config c, string path, Kind kind) => kind switch
    {
        Kind.Bool => Try(() => { c.GetBoolean(path); return null; }, "must be on or off"),
        Kind.Duration => Try(() => c.GetTimeSpan(path) >= TimeSpan.Zero ? null : "must not be negative", "must be a duration such as 3s or 500ms"),
        Kind.DurationOrOff => Try(() => SrsSettings.ParseDurationOrOff(c, path, TimeSpan.Zero) is not { } d || d >= TimeSpan.Zero ? null : "must not be negative",
            "must be a duration such as 10m, or off"),
        Kind.PositiveDuration => Try(() => c.GetTimeSpan(path) > TimeSpan.Zero ? null : "must be longer than zero", "must be a duration such as 3s or 500ms"),
        Kind.Int => Try(() => { c.GetInt(path); return null; }, "must be a whole number"),
        Kind.EndPoint => Try(() => { SrsSettings.ParseEndPoint(c.GetString(path)); return null; }),
        Kind.Role => Try(() => { SrsSettings.ParseRole(c.GetString(path)); return null; }),
        Kind.UpgradeSocket => Try(() => { SrsSettings.ParseUpgradeSocket(c.GetString(path), new System.Net.IPEndPoint(System.Net.IPAddress.Any, 1935)); return null; }),
        Kind.HostPortList => Try(() => c.GetStringList(path).Select(HostPortError).FirstOrDefault(e => e is not null), "must be a list of \"host:port\""),
        Kind.UrlList => Try(() => c.GetStringList(path).Select(UrlError).FirstOrDefault(e => e is not null), "must be a list of http:// URLs"),
        _ => Try(() => { c.GetString(path); return null; }),
    };

    /// <summary>`key = ` with nothing after it parses as an empty value that getters fail on.</summary>
    private static bool HasValue(Config c, string path)
    {
        try { return c.GetValue(path) is { } v && v.Values.Count > 0; }
        catch (Exception) { return false; }
    }

    private static string? HostPortError(string s)
    {
        var colon = s.LastIndexOf(':');
        return colon > 0 && int.TryParse(s[(colon + 1)..], out var p) && p is > 0 and <= 65535
            ? null : $"'{s}' is not \"host:port\"";
    }

    private static string? UrlError(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https")
            ? null : $"'{s}' is not an http(s) URL";

    private static string? Try(Func<string?> check, string? message = null)
    {
        try { return check(); }
        catch (Exception e) { return message ?? e.Message; }
    }

    private static IEnumerable<string> LeafPaths(Akka.Configuration.Hocon.HoconValue value, string prefix)
    {
        if (!value.IsObject()) { yield return prefix; yield break; }
        foreach (var (key, child) in value.GetObject().Items)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            // Lists and leaves are checked by type; objects are walked.
            if (child.IsObject() && !Known.ContainsKey(path)) foreach (var p in LeafPaths(child, path)) yield return p;
            else yield return path;
        }
    }
}
