using Srs.Bench.Cli;
using Srs.Bench.Media;
using Srs.Bench.Server;

namespace Srs.Bench.Cluster;

/// <summary>The options of <c>cluster</c> (see its usage text for each).</summary>
public sealed record ClusterOptions
{
    public required string Node { get; init; }
    public int Origins { get; init; }
    public int Edges { get; init; }
    public required string[] Phases { get; init; }
    public string? Logs { get; init; }
    public required string NodeLogLevel { get; init; }
    /// <summary>HOCON added to every node's configuration, or empty.</summary>
    public required string NodeConf { get; init; }
    public TimeSpan StartTimeout { get; init; }
    public int StartBatch { get; init; }
    public TimeSpan Quiet { get; init; }
    public required StreamProfile Profile { get; init; }
    public int PerWorker { get; init; }

    public int Streams { get; init; }
    public int Ramp { get; init; }
    public bool Spread { get; init; }
    public int SampleEvery { get; init; }
    public TimeSpan SampleTimeout { get; init; }

    public int ChurnRate { get; init; }
    public TimeSpan ChurnTime { get; init; }
    public TimeSpan ChurnLife { get; init; }
    public TimeSpan MemoryEvery { get; init; }

    public int Changes { get; init; }
    public TimeSpan Poll { get; init; }
    public TimeSpan ConvergeTimeout { get; init; }

    public static readonly string[] AllPhases = ["ramp", "churn", "converge"];

    public static ClusterOptions Parse(BenchArgs args)
    {
        var streams = args.Int("streams", 1000);
        var options = new ClusterOptions
        {
            Node = args.OptionalString("node") ?? NodeRunner.DefaultNode(),
            Origins = args.Int("origins", 2),
            Edges = args.Int("edges", 1, min: 0),
            Phases = args.String("phases", "ramp").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Logs = args.OptionalString("logs"),
            NodeLogLevel = args.Choice("node-log-level", "INFO", "DEBUG", "WARNING", "ERROR"),
            NodeConf = args.OptionalString("node-conf") is { } conf
                ? File.Exists(conf) ? File.ReadAllText(conf) : throw new ArgumentException($"--node-conf: {conf} not found")
                : "",
            StartTimeout = args.Duration("start-timeout", TimeSpan.FromMinutes(5)),
            StartBatch = args.Int("start-batch", 4),
            Quiet = args.Duration("quiet", TimeSpan.FromSeconds(10)),
            Profile = new StreamProfile(args.Int("bitrate", 8), args.Int("gop", 1), args.Int("fps", 1), args.Switch("audio", false)),
            PerWorker = args.Int("per-worker", 5000),
            Streams = streams,
            Ramp = args.Int("ramp", 100),
            Spread = args.Switch("spread", false),
            SampleEvery = args.Int("sample", Math.Clamp(streams / 50, 1, 100)),
            SampleTimeout = args.Duration("sample-timeout", TimeSpan.FromSeconds(15)),
            ChurnRate = args.Int("churn-rate", 200),
            ChurnTime = args.Duration("churn-time", TimeSpan.FromMinutes(2)),
            ChurnLife = args.Duration("churn-life", TimeSpan.FromSeconds(10)),
            MemoryEvery = args.Duration("mem-every", TimeSpan.FromSeconds(5)),
            Changes = args.Int("changes", 50),
            Poll = args.Duration("poll", TimeSpan.FromMilliseconds(50)),
            ConvergeTimeout = args.Duration("converge-timeout", TimeSpan.FromSeconds(30)),
        };
        args.ThrowOnUnknown();
        foreach (var p in options.Phases)
            if (Array.IndexOf(AllPhases, p) < 0) throw new ArgumentException($"--phases: '{p}' is not {string.Join(", ", AllPhases)}");
        if (1000 % options.Profile.FramesPerSecond != 0) throw new ArgumentException("--fps: a divisor of 1000 (1, 2, 5, 10, 25 ...)");
        if (options.PerWorker > 19_000) throw new ArgumentException("--per-worker: at most 19000 (a process may hold 20000 descriptors)");
        if (!File.Exists(options.Node))
            throw new ArgumentException($"--node: {options.Node} not found (build it: dotnet build Srs.Node -c Release, or pass --node PATH)");
        return options;
    }
}
