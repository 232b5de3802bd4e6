using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Srs.Bench.Modes;

namespace Srs.Bench.Cluster;

/// <summary>
/// The parent side of a <see cref="PublishPlan"/>: this tool started again as
/// <c>cluster-publisher</c> worker processes (one process holds at most ~19,000 sockets), their
/// event lines read into counts (publishes accepted, failed with their reasons, dropped after
/// they started, ended as planned) and the accepted ones passed to <see cref="Published"/>.
/// Stopping closes their stdin (each stream ends cleanly) and kills what is left past a bound.
/// </summary>
public sealed class PublisherWorkers : IAsyncDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(20);

    private readonly PublishPlan _plan;
    private readonly List<Process> _processes = new();
    private readonly byte[] _state; // per stream: 0 waiting, 1 publishing, 2 ended, 3 failed
    private readonly ConcurrentDictionary<string, int> _failures = new();
    private readonly ConcurrentDictionary<string, int> _drops = new();
    private readonly TaskCompletionSource _allSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<int, long>? _published;
    private long _started;
    private long _failed;
    private long _dropped;
    private long _ended;
    private volatile bool _stopping;

    private PublisherWorkers(PublishPlan plan, Action<int, long>? published)
    {
        _plan = plan;
        _state = new byte[plan.Count];
        _published = published;
    }

    /// <summary>Publishes accepted (NetStream.Publish.Start).</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Publishes refused or failed before NetStream.Publish.Start.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Streams that failed after they started (the connection dropped).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Streams that ended as planned (their life over, deleteStream sent).</summary>
    public long Ended => Interlocked.Read(ref _ended);

    public long Live => Started - Ended - Dropped;

    public IReadOnlyDictionary<string, int> Failures => _failures;
    public IReadOnlyDictionary<string, int> Drops => _drops;

    /// <summary>Every stream started or failed.</summary>
    public Task AllSettled => _allSettled.Task;

    /// <summary>Every stream over (ended, failed or dropped).</summary>
    public Task AllDone => _allDone.Task;

    /// <param name="published">Called with the stream index and its Publish.Start timestamp, on a reader thread: keep it short.</param>
    public static PublisherWorkers Start(PublishPlan plan, int workers, Action<int, long>? published = null)
    {
        var fleet = new PublisherWorkers(plan, published);
        workers = Math.Max(1, Math.Min(workers, plan.Count));
        try
        {
            for (var w = 0; w < workers; w++) fleet._processes.Add(fleet.StartWorker(w, workers));
        }
        catch
        {
            fleet.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return fleet;
    }

    private Process StartWorker(int worker, int workers)
    {
        // This same tool: its apphost, or dotnet with its dll.
        var self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        psi.ArgumentList.Add(ClusterPublisherMode.Name);
        foreach (var a in _plan.ToArgs()) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "--worker", worker.ToString(CultureInfo.InvariantCulture), "--workers", workers.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) OnLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && !_stopping) Console.Error.WriteLine($"  publisher worker {worker}: {e.Data}"); };
        process.Exited += (_, _) => OnWorkerExit(worker, workers, process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void OnLine(string line)
    {
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= _state.Length) return;
        var rest = parts.Length > 2 ? parts[2] : "";
        switch (parts[0])
        {
            case "S" when long.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var at):
                _state[i] = 1;
                Interlocked.Increment(ref _started);
                _published?.Invoke(i, at);
                break;
            case "E":
                _state[i] = 2;
                Interlocked.Increment(ref _ended);
                break;
            case "F" when _stopping:
                return; // ended by the stop itself
            case "F" when _state[i] == 1:
                _state[i] = 3;
                Interlocked.Increment(ref _dropped);
                _drops.AddOrUpdate(rest, 1, (_, n) => n + 1);
                break;
            case "F":
                _state[i] = 3;
                Interlocked.Increment(ref _failed);
                _failures.AddOrUpdate(rest, 1, (_, n) => n + 1);
                break;
        }
        CheckProgress();
    }

    private void CheckProgress()
    {
        if (Started + Failed >= _plan.Count) _allSettled.TrySetResult();
        if (Ended + Failed + Dropped >= _plan.Count) _allDone.TrySetResult();
    }

    /// <summary>A worker that exits on its own before its streams are over has failed them all.</summary>
    private void OnWorkerExit(int worker, int workers, Process process)
    {
        if (_stopping) return;
        process.WaitForExit(); // its last lines are read
        var missing = 0;
        for (var i = worker; i < _state.Length; i += workers)
        {
            if (_state[i] is 2 or 3) continue;
            if (_state[i] == 1) Interlocked.Increment(ref _dropped); else Interlocked.Increment(ref _failed);
            _state[i] = 3;
            missing++;
        }
        if (missing == 0) return;
        var reason = $"worker {worker} exited with {process.ExitCode}";
        _failures.AddOrUpdate(reason, missing, (_, n) => n + missing);
        CheckProgress();
    }

    /// <summary>Failures as "count reason" lines, most frequent first.</summary>
    public static IEnumerable<string> Describe(IReadOnlyDictionary<string, int> reasons) =>
        reasons.OrderByDescending(r => r.Value).Select(r => $"x{r.Value}: {r.Key}");

    /// <summary>Ends every stream cleanly (the workers' stdin closed), then kills what is left past a bound.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var p in _processes)
        {
            try { p.StandardInput.Close(); }
            catch (Exception e) when (e is IOException or InvalidOperationException) { }
        }
        foreach (var p in _processes)
        {
            using var bound = new CancellationTokenSource(StopBound);
            try { await p.WaitForExitAsync(bound.Token); }
            catch (OperationCanceledException)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await p.WaitForExitAsync();
            }
            p.Dispose();
        }
    }
}
