using System.Diagnostics;
using System.Globalization;
using System.Net;
using Srs.Bench.Cli;
using Srs.Bench.Report;
using Srs.Bench.Rtmp;
using Srs.Bench.Server;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>handover</c>: upgrade in place, repeated, under heavy connection load. It starts a
/// node, then per round starts a new one on the same configuration, lets both run for --overlap,
/// sends SIGQUIT to the old one and waits for its exit, while connector tasks open connections
/// back to back, each completing the RTMP handshake. Once per variant: with the listener handover
/// (srs.upgrade-socket: the new process takes the old one's listening sockets) and with
/// SO_REUSEPORT only (upgrade-socket = off: each process has its own accept queue, and the old
/// one's is reset when it closes). Prints failures per thousand attempts for each.
/// </summary>
public static class HandoverMode
{
    public const string Usage = """
          handover     upgrade in place (start new, SIGQUIT old) repeated under connection load; failures per 1000 attempts
            --node PATH         Srs.Node.dll (run with dotnet) or an executable  [Srs.Node/bin/Release/net10.0/Srs.Node.dll of this repository]
            --variants LIST     fd: listener handover over srs.upgrade-socket; reuseport: upgrade-socket = off  [fd,reuseport]
            --rounds N          handovers per variant  [5]
            --connectors C      tasks opening connections back to back, RTMP handshake included  [8]
            --overlap T         both processes running before the old one gets SIGQUIT  [1s]
            --rtmp-port P       the nodes' RTMP port on 127.0.0.1; HTTP API P+1, HTTP-FLV P+2  [19360]
            --grace-start-wait T / --grace-final-wait T   the nodes' quit waits  [300ms / 300ms]
            --node-logs DIR     keep each node's whole output in DIR/node-PID.log, Akka at INFO (one line per
                                connection: costs CPU)  [none: Akka at WARNING, output discarded]
        """;

    private sealed record Round(int Number, int OldPid, int NewPid, string Start, long Attempts, long Failures, string Errors, double ExitMs, double Seconds);

    private sealed record Variant(string Name, List<Round> Rounds, string LoadBefore, string LoadAfter)
    {
        public long Attempts => Rounds.Sum(r => r.Attempts);
        public long Failures => Rounds.Sum(r => r.Failures);
        public double PerThousand => Attempts == 0 ? 0 : 1000.0 * Failures / Attempts;
        public double Rate => Attempts / Math.Max(0.001, Rounds.Sum(r => r.Seconds));
    }

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var node = args.OptionalString("node") ?? NodeRunner.DefaultNode();
        var variants = args.String("variants", "fd,reuseport").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var v in variants)
            if (v is not ("fd" or "reuseport")) throw new ArgumentException($"--variants: '{v}' is not fd or reuseport");
        var rounds = args.Int("rounds", 5);
        var connectors = args.Int("connectors", 8);
        var overlap = args.Duration("overlap", TimeSpan.FromSeconds(1));
        var port = args.Int("rtmp-port", 19360);
        var startWait = args.Duration("grace-start-wait", TimeSpan.FromMilliseconds(300));
        var finalWait = args.Duration("grace-final-wait", TimeSpan.FromMilliseconds(300));
        var logDir = args.OptionalString("node-logs");
        args.ThrowOnUnknown();
        if (!File.Exists(node)) throw new ArgumentException($"--node: {node} not found (build it: dotnet build Srs.Node -c Release)");

        Console.WriteLine($"handover: {rounds} upgrades per variant ({string.Join(", ", variants)}), {connectors} connectors opening RTMP connections " +
                          $"(handshake included) back to back to 127.0.0.1:{port}; overlap {overlap.TotalMilliseconds:F0} ms; node {node}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {MachineLoad.LoadAverages()}");

        var results = new List<Variant>();
        foreach (var v in variants)
            results.Add(await RunVariantAsync(v, node, port, rounds, connectors, overlap, startWait, finalWait, logDir, ct));

        Console.WriteLine();
        var summary = new Table("variant", "rounds", "attempts", "failures", "per 1000", "per handover", "attempts/s", "errors", "load avg before -> after");
        foreach (var r in results)
            summary.Add(r.Name, r.Rounds.Count, r.Attempts, r.Failures, r.PerThousand.ToString("0.###", CultureInfo.InvariantCulture),
                ((double)r.Failures / Math.Max(1, r.Rounds.Count)).ToString("0.##", CultureInfo.InvariantCulture), r.Rate,
                Errors(r.Rounds.Select(x => x.Errors)), $"{r.LoadBefore} -> {r.LoadAfter}");
        Console.Write(summary);
        foreach (var r in results)
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT mode=handover variant={r.Name} rounds={r.Rounds.Count} connectors={connectors} attempts={r.Attempts} failures={r.Failures} per_thousand={r.PerThousand:0.###} attempts_per_s={r.Rate:0}"));
        return 0;
    }

    private static async Task<Variant> RunVariantAsync(string variant, string node, int port, int rounds, int connectors, TimeSpan overlap,
        TimeSpan startWait, TimeSpan finalWait, string? logDir, CancellationToken ct)
    {
        var conf = await UpgradeConfig.WriteAsync($"handover-{variant}", port, variant == "fd" ? "auto" : "off", startWait, finalWait, logDir is not null, ct);
        var loadBefore = MachineLoad.LoadAverages();
        Console.WriteLine();
        Console.WriteLine($"variant {variant}: {(variant == "fd" ? "the new process takes the old one's listening sockets (srs.upgrade-socket)" : "SO_REUSEPORT only (upgrade-socket = off)")}");

        var current = await UpgradedNode.StartAsync(node, conf, logDir);
        var load = new HandshakeLoad(new IPEndPoint(IPAddress.Loopback, port));
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loadTask = load.RunAsync(connectors, stopLoad.Token);
        var table = new Table("round", "old -> new pid", "new process", "attempts", "failures", "errors", "quit->exit ms");
        var rows = new List<Round>();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct); // the load warms up
            for (var r = 1; r <= rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                var (attempts, failures) = (load.Attempts, load.Failures);
                var startedMs = load.NowMs;
                var next = await UpgradedNode.StartAsync(node, conf, logDir);
                var servingMs = load.NowMs;
                await Task.Delay(overlap, ct);
                var quitMs = load.NowMs;
                current.Quit();
                if (!await current.WaitForExitAsync(TimeSpan.FromSeconds(60)))
                    throw new InvalidOperationException($"node {current.Pid} did not exit within 60 s after SIGQUIT:\n{current.Tail}");
                var exitMs = load.NowMs;
                // Each failure by the phase its attempt started in: the new process starting, both serving, the old one quitting.
                var failed = load.Failed.Where(f => f.StartMs >= startedMs && f.StartMs < exitMs).ToList();
                var phases = failed
                    .GroupBy(f => f.StartMs < servingMs ? "new starting" : f.StartMs < quitMs ? "both serving" : "old quitting")
                    .Select(g => $"{g.Key}: {string.Join(", ", g.GroupBy(f => f.Error).Select(e => $"{e.Key} {e.Count()}"))}");
                var delta = string.Join("; ", phases);
                var row = new Round(r, current.Pid, next.Pid, next.StartKind, load.Attempts - attempts, load.Failures - failures, delta, exitMs - quitMs, clock.Elapsed.TotalSeconds);
                rows.Add(row);
                Console.WriteLine($"  round {r}: {row.OldPid} -> {row.NewPid} ({row.Start}, serving after {servingMs - startedMs:F0} ms), {row.Attempts} attempts, " +
                                  $"{row.Failures} failures{(delta.Length > 0 ? " (" + delta + ")" : "")}, exit {row.ExitMs:F0} ms after SIGQUIT" +
                                  (failed.Count == 0 ? "" : $"; failures {failed.Min(f => f.At):HH:mm:ss.fff}..{failed.Max(f => f.At):HH:mm:ss.fff} UTC"));
                table.Add(r, $"{row.OldPid} -> {row.NewPid}", row.Start, row.Attempts, row.Failures, delta.Length == 0 ? "-" : delta, row.ExitMs);
                await current.DisposeAsync();
                current = next;
            }
        }
        finally
        {
            stopLoad.Cancel();
            await loadTask;
            current.Quit();
            await current.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await current.DisposeAsync();
            File.Delete(conf);
        }
        Console.Write(table);
        return new Variant(variant, rows, loadBefore, MachineLoad.LoadAverages());
    }

    /// <summary>Sums "phase: error n, error n; phase: ..." over the rounds.</summary>
    private static string Errors(IEnumerable<string> perRound)
    {
        var total = new SortedDictionary<string, SortedDictionary<string, int>>();
        foreach (var phase in perRound.SelectMany(r => r.Split("; ", StringSplitOptions.RemoveEmptyEntries)))
        {
            var colon = phase.IndexOf(": ", StringComparison.Ordinal);
            var errors = total.TryGetValue(phase[..colon], out var e) ? e : total[phase[..colon]] = new SortedDictionary<string, int>();
            foreach (var part in phase[(colon + 2)..].Split(", "))
            {
                var space = part.LastIndexOf(' ');
                errors[part[..space]] = errors.GetValueOrDefault(part[..space]) + int.Parse(part[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return total.Count == 0 ? "-" : string.Join("; ", total.Select(p => $"{p.Key}: {string.Join(", ", p.Value.Select(e => $"{e.Key} {e.Value}"))}"));
    }
}
