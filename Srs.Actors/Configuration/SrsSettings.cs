using System.Net;
using Akka.Configuration;
using Srs.Protocol.Rtmp;

namespace Srs.Actors.Configuration;

public enum NodeRole { Origin, Edge }

/// <summary>
/// The `srs` section of the HOCON configuration, typed. <see cref="ConfigValidator"/> checks a
/// config first, so reading here may assume every key has a valid value.
/// </summary>
public sealed record SrsSettings
{
    public NodeRole Role { get; init; } = NodeRole.Origin;
    public IPEndPoint RtmpListen { get; init; } = new(IPAddress.Any, 1935);
    public bool HttpApiEnabled { get; init; } = true;
    public IPEndPoint HttpApiListen { get; init; } = new(IPAddress.Any, 1985);
    /// <summary>Debug endpoints (forced GC for benchmarks): off in production, they can pause the node.</summary>
    public bool HttpApiDebug { get; init; }
    public bool HttpServerEnabled { get; init; } = true;
    public IPEndPoint HttpServerListen { get; init; } = new(IPAddress.Any, 8080);
    public bool ReusePort { get; init; } = true;
    /// <summary>
    /// The Unix socket on which this node hands its listening sockets to a new process (upgrade in
    /// place); null when `upgrade-socket = off`. Default ("auto"): see <see cref="DefaultUpgradeSocket"/>.
    /// </summary>
    public string? UpgradeSocket { get; init; } = DefaultUpgradeSocket(new IPEndPoint(IPAddress.Any, 1935));
    public TimeSpan GraceStartWait { get; init; } = TimeSpan.FromMilliseconds(2300);
    public TimeSpan GraceFinalWait { get; init; } = TimeSpan.FromMilliseconds(3200);
    /// <summary>
    /// How long a graceful quit waits for its clients before it closes the rest; null (<c>off</c>):
    /// as long as they stay. The default ends every upgrade, an encoder that ignores the reconnect
    /// request included, while the new process serves everyone new meanwhile (docs/operations.md).
    /// </summary>
    public TimeSpan? GraceMaxWait { get; init; } = DefaultGraceMaxWait;

    public static readonly TimeSpan DefaultGraceMaxWait = TimeSpan.FromMinutes(10);
    public bool ForceGraceQuit { get; init; }
    public TimeSpan SourceIdleTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public bool GopCache { get; init; } = true;
    public TimeSpan QueueLength { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Merged writes: stream time gathered into one write per player (0: one write per video frame).</summary>
    public TimeSpan MergeLatency { get; init; } = DefaultMergeLatency;

    /// <summary>Two frames at 25 fps: half the sends of one write per frame, and a frame waits at most ~40 ms.</summary>
    public static readonly TimeSpan DefaultMergeLatency = TimeSpan.FromMilliseconds(80);

    /// <summary>Merged writes: the most phases a source's players are split into, flushed in turn (see <see cref="Media.MergeWindow"/>); 1: all at once.</summary>
    public int MergePhases { get; init; } = Media.MergeWindow.DefaultPhases;

    /// <summary>Players a merge phase takes before the next one opens: below it a stream's players are flushed together.</summary>
    public int MergePhasePlayers { get; init; } = DefaultMergePhasePlayers;

    /// <summary>
    /// A flush to 2,500 players is ~20 ms of sends in a row on the benchmark machine. Staggering costs
    /// some CPU (players' delayed ACKs land during the other phase's flush, docs/performance.md), so it
    /// starts only where a flush gets that long.
    /// </summary>
    public const int DefaultMergePhasePlayers = 2500;

    /// <summary>A merged write's sends go to the kernel together through io_uring where the kernel allows it (see <see cref="Media.SendBatch"/>).</summary>
    public bool IoUring { get; init; } = true;
    public int OutChunkSize { get; init; } = 60000;
    public RtmpLimits Limits { get; init; } = RtmpLimits.Default;
    public IReadOnlyList<string> EdgeOrigins { get; init; } = [];
    public HookSettings Hooks { get; init; } = new();

    public static SrsSettings FromConfig(Config root)
    {
        var c = root.GetConfig("srs") ?? Config.Empty;
        var rtmpListen = ParseEndPoint(c.GetString("rtmp.listen", "0.0.0.0:1935"));
        return new SrsSettings
        {
            Role = ParseRole(c.GetString("role", "origin")),
            RtmpListen = rtmpListen,
            HttpApiEnabled = c.GetBoolean("http-api.enabled", true),
            HttpApiListen = ParseEndPoint(c.GetString("http-api.listen", "0.0.0.0:1985")),
            HttpApiDebug = c.GetBoolean("http-api.debug", false),
            HttpServerEnabled = c.GetBoolean("http-server.enabled", true),
            HttpServerListen = ParseEndPoint(c.GetString("http-server.listen", "0.0.0.0:8080")),
            ReusePort = c.GetBoolean("reuseport", true),
            UpgradeSocket = ParseUpgradeSocket(c.GetString("upgrade-socket", "auto"), rtmpListen),
            GraceStartWait = c.GetTimeSpan("grace-start-wait", TimeSpan.FromMilliseconds(2300)),
            GraceFinalWait = c.GetTimeSpan("grace-final-wait", TimeSpan.FromMilliseconds(3200)),
            GraceMaxWait = ParseDurationOrOff(c, "grace-max-wait", DefaultGraceMaxWait),
            ForceGraceQuit = c.GetBoolean("force-grace-quit", false),
            SourceIdleTimeout = c.GetTimeSpan("source.idle-timeout", TimeSpan.FromSeconds(3)),
            GopCache = c.GetBoolean("gop-cache", true),
            QueueLength = c.GetTimeSpan("queue-length", TimeSpan.FromSeconds(10)),
            MergeLatency = c.GetTimeSpan("mw-latency", DefaultMergeLatency),
            MergePhases = c.GetInt("mw-phases", Media.MergeWindow.DefaultPhases),
            MergePhasePlayers = c.GetInt("mw-phase-players", DefaultMergePhasePlayers),
            IoUring = c.GetBoolean("io-uring", true),
            OutChunkSize = c.GetInt("rtmp.chunk-size", 60000),
            Limits = new RtmpLimits
            {
                MaxChunkSize = c.GetInt("rtmp.max-chunk-size", RtmpLimits.Default.MaxChunkSize),
                MaxMessageSize = c.GetInt("rtmp.max-message-size", RtmpLimits.Default.MaxMessageSize),
                MaxChunkStreams = c.GetInt("rtmp.max-chunk-streams", RtmpLimits.Default.MaxChunkStreams),
                HandshakeTimeout = c.GetTimeSpan("rtmp.handshake-timeout", RtmpLimits.Default.HandshakeTimeout),
                PublisherTimeout = c.GetTimeSpan("rtmp.publisher-timeout", RtmpLimits.Default.PublisherTimeout),
            },
            EdgeOrigins = c.HasPath("edge.origins") ? c.GetStringList("edge.origins").ToArray() : [],
            Hooks = HookSettings.FromConfig(c.GetConfig("hooks")),
        };
    }

    /// <summary>A duration, or <c>off</c> (null); <paramref name="fallback"/> when the key is absent.</summary>
    public static TimeSpan? ParseDurationOrOff(Config c, string path, TimeSpan fallback) =>
        !c.HasPath(path) ? fallback
        : string.Equals(c.GetString(path), "off", StringComparison.OrdinalIgnoreCase) ? null
        : c.GetTimeSpan(path);

    public static NodeRole ParseRole(string value) => value.ToLowerInvariant() switch
    {
        "origin" => NodeRole.Origin,
        "edge" => NodeRole.Edge,
        _ => throw new FormatException($"role must be origin or edge, not '{value}'"),
    };

    /// <summary>"off" (null), "auto" (<see cref="DefaultUpgradeSocket"/>) or an absolute path.</summary>
    public static string? ParseUpgradeSocket(string value, IPEndPoint rtmpListen)
    {
        if (value is "off" or "false" or "no") return null;
        if (value is "auto") return DefaultUpgradeSocket(rtmpListen);
        if (!value.StartsWith('/')) throw new FormatException($"'{value}' is not off, auto or an absolute path");
        // sun_path holds 108 bytes with the terminating zero; the node binds "PATH.PID" first.
        if (System.Text.Encoding.UTF8.GetByteCount(value) > 96) throw new FormatException($"'{value}' is too long for a Unix socket path (at most 96 bytes here)");
        return value;
    }

    /// <summary>
    /// /tmp/srs-upgrade-PORT.sock for an RTMP listener on all addresses, else
    /// /tmp/srs-upgrade-ADDRESS-PORT.sock: a new process on the same configuration finds it, two
    /// nodes on different RTMP endpoints never share it.
    /// </summary>
    public static string DefaultUpgradeSocket(IPEndPoint rtmpListen) =>
        rtmpListen.Address.Equals(IPAddress.Any) || rtmpListen.Address.Equals(IPAddress.IPv6Any)
            ? $"/tmp/srs-upgrade-{rtmpListen.Port}.sock"
            : $"/tmp/srs-upgrade-{rtmpListen.Address.ToString().Replace(':', '_')}-{rtmpListen.Port}.sock";

    /// <summary>"host:port", "[v6]:port" or a bare port (all interfaces), as SRS's listen accepts.</summary>
    public static IPEndPoint ParseEndPoint(string value)
    {
        if (int.TryParse(value, out var bare) && bare is >= 0 and <= 65535) return new IPEndPoint(IPAddress.Any, bare);
        if (IPEndPoint.TryParse(value, out var ep) && value.Contains(':') && ep.Port is >= 0 and <= 65535) return ep;
        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is >= 0 and <= 65535)
        {
            var host = value[..colon];
            if (host == "localhost") return new IPEndPoint(IPAddress.Loopback, port);
            if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) return new IPEndPoint(ip, port);
        }
        throw new FormatException($"'{value}' is not an address \"ip:port\"");
    }
}
