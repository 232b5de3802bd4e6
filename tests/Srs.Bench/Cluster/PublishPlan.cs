using System.Globalization;
using Srs.Bench.Cli;
using Srs.Bench.Media;

namespace Srs.Bench.Cluster;

/// <summary>
/// Streams PREFIX-0 .. PREFIX-(Count-1) to publish: stream i starts at <see cref="Start"/> + i /
/// <see cref="Rate"/> s (a <see cref="System.Diagnostics.Stopwatch"/> timestamp, the same clock
/// in every process of the machine) on origin i mod origins (<see cref="Spread"/>) or on
/// <see cref="Origin"/>, and lives <see cref="Life"/> (zero: until the publishers are stopped).
/// It travels to the worker processes as options.
/// </summary>
public sealed record PublishPlan(string Prefix, int Count, double Rate, TimeSpan Life, IReadOnlyList<int> OriginPorts, bool Spread, int Origin,
    StreamProfile Profile, long Start)
{
    public string Stream(int i) => $"{Prefix}-{i}";

    public int PortOf(int i) => OriginPorts[Spread ? i % OriginPorts.Count : Origin];

    public long DueAt(int i) => Start + (long)(i / Rate * System.Diagnostics.Stopwatch.Frequency);

    public IEnumerable<string> ToArgs() =>
    [
        "--prefix", Prefix, "--count", Str(Count), "--rate", Str(Rate), "--life", $"{Life.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
        "--origin-ports", string.Join(",", OriginPorts.Select(p => Str(p))), "--spread", Spread ? "on" : "off", "--origin", Str(Origin),
        "--bitrate", Str(Profile.Kbps), "--gop", Str(Profile.GopFrames), "--fps", Str(Profile.FramesPerSecond),
        "--audio", Profile.Audio ? "on" : "off", "--start", Str(Start),
    ];

    public static PublishPlan Parse(BenchArgs args) => new(
        args.String("prefix", "s"), args.Int("count", 1), double.Parse(args.String("rate", "100"), CultureInfo.InvariantCulture),
        args.Duration("life", TimeSpan.Zero),
        args.String("origin-ports", "").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(),
        args.Switch("spread", false), args.Int("origin", 0, min: 0),
        new StreamProfile(args.Int("bitrate", 8), args.Int("gop", 1), args.Int("fps", 1), args.Switch("audio", false)),
        long.Parse(args.String("start", "0"), CultureInfo.InvariantCulture));

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Str(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
