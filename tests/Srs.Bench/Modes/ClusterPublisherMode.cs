using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Cli;
using Srs.Bench.Cluster;
using Srs.Bench.Media;
using Srs.Bench.Rtmp;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>cluster-publisher</c> (not listed in --help): a child process of <c>cluster</c> holding a
/// share of its publishers, so the bench is not bound by one process's descriptors. Worker w of W
/// publishes the plan's streams i with i mod W = w, each at its due time, and reports one line per
/// event on stdout: <c>S i TIMESTAMP</c> at NetStream.Publish.Start (Stopwatch ticks: the same
/// clock as the parent's), <c>E i</c> when the stream ended as planned, <c>F i REASON</c> when it
/// failed (before or after it started). Its stdin closing (the parent stopping it, or gone) ends
/// every stream cleanly, then the process.
/// </summary>
public static class ClusterPublisherMode
{
    public const string Name = "cluster-publisher";

    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var plan = PublishPlan.Parse(args);
        var worker = args.Int("worker", 0, min: 0);
        var workers = args.Int("workers", 1);
        args.ThrowOnUnknown();

        using var stop = new CancellationTokenSource();
        using var hard = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null) { }
            stop.Cancel();
        }, CancellationToken.None);

        var stream = new SyntheticStream(plan.Profile);
        var counters = new PublishCounters();
        // A day stands for "until stopped".
        var life = plan.Life > TimeSpan.Zero ? plan.Life : TimeSpan.FromDays(1);
        var running = new List<Task>();
        for (var i = worker; i < plan.Count && !stop.IsCancellationRequested; i += workers)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), plan.DueAt(i));
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try { await Task.Delay(wait, stop.Token); }
                catch (OperationCanceledException) { break; }
            }
            running.Add(PublishAsync(plan, i, stream, life, counters, hard.Token, stop.Token));
        }

        var all = Task.WhenAll(running);
        try { await all.WaitAsync(stop.Token); }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: each stream ends cleanly, within a bound.
            hard.CancelAfter(StopBound);
            await all;
        }
        return 0;
    }

    private static async Task PublishAsync(PublishPlan plan, int i, SyntheticStream stream, TimeSpan life, PublishCounters counters,
        CancellationToken ct, CancellationToken stop)
    {
        await Task.Yield();
        var url = new Srs.Protocol.Rtmp.Client.RtmpUrl("127.0.0.1", plan.PortOf(i), ClusterNode.App, plan.Stream(i));
        var outcome = await StreamPublisher.RunAsync(url, stream, life, counters, ct,
            published: at => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"S {i} {at}")), stop: stop);
        Console.Out.WriteLine(outcome.Ok ? $"E {i}" : $"F {i} {outcome.Error?.ReplaceLineEndings(" ")}");
    }
}
