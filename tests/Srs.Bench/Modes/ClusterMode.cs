using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Srs.Bench.Cli;
using Srs.Bench.Cluster;
using Srs.Bench.Report;
using Srs.Bench.Server;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>cluster</c>: the stream directory under load. Starts a cluster of its own (origins and
/// edges, one process each, on free loopback ports), waits until every node sees every member Up,
/// then runs the phases asked for, each after a quiet window that is its traffic baseline, and
/// reports per phase: its own figures, cluster-port traffic per node and per directory change,
/// and the warning lines each node logged. Stops every process it started and deletes its files,
/// also on Ctrl-C, SIGTERM or an error.
/// </summary>
public static class ClusterMode
{
    public const string Usage = """
          cluster      starts a cluster (origins + edges, a process each) and measures its stream directory
            --node PATH         Srs.Node.dll (run with dotnet) or the native executable  [Srs.Node/bin/Release/net10.0/Srs.Node.dll of this repository]
            --origins N         [2]        --edges M   [1]
            --phases LIST       ramp, churn, converge, run in the order given  [ramp]
            --logs DIR          keep each node's output as DIR/origin-0.log ...  [none: counted, not kept]
            --node-log-level L  akka.loglevel of the nodes: INFO, DEBUG, WARNING, ERROR  [INFO]
            --node-conf FILE    HOCON added to every node's configuration (to compare settings)  [none]
            --start-timeout T   every member Up on every node within  [5m]
            --start-batch N     nodes started at once after the seed, the next batch once they are Up  [4]
            --quiet T           traffic baseline measured before each phase  [10s]
            --fps F --bitrate KBPS --gop FRAMES --audio on|off   the published stream  [1, 8, 1 (all keyframes), off]
            --per-worker N      publishers per worker process of the bench  [5000]
            --spread on|off     publish on every origin in turn instead of origin-0  [off]
          ramp: --streams S [1000]  --ramp R publishes/s [100]  --sample K play every Kth stream from an edge [S/50, 1..100]
                --sample-timeout T [15s]; the streams stay live until the end of the run
          churn: --churn-rate R publishes (and, once level, unpublishes) per second [200]  --churn-time T [2m]
                 --churn-life T each stream's life [10s]  --mem-every T node heap/RSS sampling [5s]
          converge: --changes N publish+unpublish pairs, one at a time [50]  --poll T [50ms]  --converge-timeout T [30s]
        """;

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var o = ClusterOptions.Parse(args);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // SIGTERM and SIGHUP end the run as Ctrl-C does: nodes stopped, files deleted.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
        try
        {
            return await RunAsync(o, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped by a signal");
            return 143;
        }
    }

    private static async Task<int> RunAsync(ClusterOptions o, CancellationToken ct)
    {
        Console.WriteLine($"cluster: {o.Origins} origins + {o.Edges} edges on 127.0.0.1, node {o.Node}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {MachineLoad.LoadAverage()}");
        var clock = Stopwatch.StartNew();
        await using var cluster = await BenchCluster.StartAsync(o.Node, o.Origins, o.Edges, o.StartBatch, o.Logs, o.NodeLogLevel, o.NodeConf, o.StartTimeout, ct);
        Console.WriteLine($"every member Up on every node after {clock.Elapsed.TotalSeconds:0.0} s");
        var nodes = new Table("node", "pid", "rtmp", "api", "http-flv", "cluster port");
        foreach (var n in cluster.Nodes) nodes.Add(n.Name, n.Runner!.Pid, n.RtmpPort, n.ApiPort, n.FlvPort, n.ClusterPort);
        Console.Write(nodes);

        var directory = await DirectoryReader.ProbeAsync(cluster.Nodes[0], ct);
        Console.WriteLine($"directory read with {directory.Describe}");
        await using var run = new ClusterRun(cluster, o, new ClusterTraffic(cluster.Nodes), directory);
        Console.WriteLine($"stream: {new Media.SyntheticStream(o.Profile).Describe()}");

        var passed = true;
        // A node that exits (downed by the split-brain resolver, crashed) ends the phase at once.
        using var exited = new CancellationTokenSource();
        _ = Task.WhenAny(cluster.Nodes.Select(n => n.Runner!.WaitForExitAsync(Timeout.InfiniteTimeSpan))).ContinueWith(_ =>
        {
            try { exited.Cancel(); }
            catch (ObjectDisposedException) { } // the run is over: the nodes are being stopped
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        foreach (var n in cluster.Nodes) n.Log.ForgetExamples();
        var start = WarningReport.Snapshot(cluster.Nodes);
        double? idleRate = null;
        foreach (var phase in o.Phases)
        {
            Console.WriteLine();
            Console.WriteLine($"== {phase}  (load average {MachineLoad.LoadAverage()})");
            if (idleRate is { } idle) await SettleAsync(run.Traffic, idle, ct);
            var quietFrom = await run.Traffic.ReadAsync(ct);
            var quietCpu = NodeCpu.Read(cluster.Nodes);
            await Task.Delay(o.Quiet, ct); // the baseline's window: nothing is awaited here
            var quietTo = await run.Traffic.ReadAsync(ct);
            var phaseCpu = NodeCpu.Read(cluster.Nodes);
            Console.WriteLine($"quiet {o.Quiet.TotalSeconds:0} s: {phaseCpu.Since(quietCpu, cluster.Nodes)}");
            idleRate ??= Rate(quietFrom, quietTo);
            var before = WarningReport.Snapshot(cluster.Nodes);
            PhaseOutcome outcome;
            using var phaseCts = CancellationTokenSource.CreateLinkedTokenSource(ct, exited.Token);
            try
            {
                outcome = phase switch
                {
                    "ramp" => await RampPhase.RunAsync(run, phaseCts.Token),
                    "churn" => await ChurnPhase.RunAsync(run, phaseCts.Token),
                    _ => await ConvergePhase.RunAsync(run, phaseCts.Token),
                };
            }
            catch (Exception e) when (!ct.IsCancellationRequested && cluster.Nodes.Any(n => n.Runner!.HasExited))
            {
                Console.WriteLine();
                Console.WriteLine($"{phase} stopped: {(e is OperationCanceledException ? "a node exited" : e.Message)}");
                foreach (var n in cluster.Nodes.Where(n => n.Runner!.HasExited))
                    Console.WriteLine($"  {n.Name} exited with {n.Runner!.ExitCode}; its last lines:\n    " +
                                      string.Join("\n    ", n.Runner.Tail.Split('\n').TakeLast(4).Select(l => l.Length > 240 ? l[..240] + " ..." : l)));
                Console.Write("warning lines logged during the phase:\n" + WarningReport.Describe(cluster.Nodes, before, WarningReport.Snapshot(cluster.Nodes)).Table);
                foreach (var example in WarningReport.Examples(cluster.Nodes)) Console.WriteLine(example);
                Console.WriteLine($"RESULT mode=cluster phase={phase} origins={o.Origins} edges={o.Edges} aborted=nodes_exited " +
                                  $"exited={cluster.Nodes.Count(n => n.Runner!.HasExited)}");
                return 1;
            }
            passed &= outcome.Passed;
            Console.WriteLine($"node CPU through the phase: {NodeCpu.Read(cluster.Nodes).Since(phaseCpu, cluster.Nodes)}; load average {MachineLoad.LoadAverage()}");
            // A node downed or gone during the phase makes its figures a different story: say so next to them.
            var up = await cluster.UpCountsAsync(ct);
            var members = up.Min() == cluster.Nodes.Count ? "every node sees every member Up"
                : "THE CLUSTER IS NOT WHOLE: " + string.Join(", ", cluster.Nodes.Select((n, i) =>
                    $"{n.Name} sees {up[i]} Up{(n.Runner!.HasExited ? $" (exited with {n.Runner.ExitCode})" : "")}").Where((_, i) => up[i] != cluster.Nodes.Count));
            Console.WriteLine($"after {phase}: {members}");
            var (trafficTable, trafficFields) = TrafficReport.Describe(cluster.Nodes, quietFrom, quietTo, outcome.From, outcome.To, outcome.Changes);
            var (warningTable, warningFields) = WarningReport.Describe(cluster.Nodes, before, WarningReport.Snapshot(cluster.Nodes));
            Console.WriteLine();
            Console.Write($"cluster-port traffic (quiet: the {o.Quiet.TotalSeconds:0} s before the phase; per change: over quiet, per publish or unpublish):\n{trafficTable}");
            Console.WriteLine();
            Console.Write("warning lines logged during the phase:\n" + warningTable);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT mode=cluster phase={phase} origins={o.Origins} edges={o.Edges} {outcome.Fields} {trafficFields} {warningFields} members_up_min={up.Min()}"));
            passed &= up.Min() == cluster.Nodes.Count;
        }

        Console.WriteLine();
        var (total, totalFields) = WarningReport.Describe(cluster.Nodes, start, WarningReport.Snapshot(cluster.Nodes));
        Console.Write("warning lines over the whole run:\n" + total);
        foreach (var example in WarningReport.Examples(cluster.Nodes)) Console.WriteLine(example);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT mode=cluster phase=all origins={o.Origins} edges={o.Edges} phases={string.Join(",", o.Phases)} wall_s={clock.Elapsed.TotalSeconds:0} {totalFields}"));
        Console.WriteLine("stopping the publishers and the nodes");
        return passed ? 0 : 1;
    }

    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits until the cluster-port traffic is back near the idle rate (at most twice it plus
    /// 10 kB/s, over 2 s), within a bound: a quiet window taken while the directory still catches
    /// up with the last phase would be no baseline.
    /// </summary>
    private static async Task SettleAsync(ClusterTraffic traffic, double idleRate, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var limit = 2 * idleRate + 10_000;
        var last = await traffic.ReadAsync(ct);
        double rate;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // the measuring window
            var now = await traffic.ReadAsync(ct);
            rate = Rate(last, now);
            last = now;
        }
        while (rate > limit && clock.Elapsed < SettleBound);
        Console.WriteLine(rate <= limit
            ? $"settled: cluster-port traffic {rate / 1e3:0.#} kB/s after {clock.Elapsed.TotalSeconds:0} s (idle {idleRate / 1e3:0.#} kB/s)"
            : $"NOT SETTLED within {SettleBound.TotalSeconds:0} s: cluster-port traffic {rate / 1e3:0.#} kB/s (idle {idleRate / 1e3:0.#} kB/s); the quiet window is not idle");
    }

    /// <summary>Bytes per second received on cluster ports, all nodes together, between two readings.</summary>
    private static double Rate(TrafficReading from, TrafficReading to)
    {
        var seconds = Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds;
        return seconds > 0 ? (to.Received.Sum() - from.Received.Sum()) / seconds : 0;
    }
}
