using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Srs.Bench.Server;

/// <summary>
/// A node process the benchmark starts itself (Process.Start, so SIGQUIT keeps its default
/// disposition), its output kept in memory (the last lines, for errors) and watched for lines.
/// </summary>
public sealed class NodeRunner : IAsyncDisposable
{
    private const int SigQuit = 3;
    private const int SigTerm = 15;
    private const int KeptLines = 400;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _watches = [];
    private StreamWriter? _log;
    private readonly Action<string>? _onLine;

    public int Pid => _process.Id;
    public DateTime StartedAt { get; } = DateTime.UtcNow;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private NodeRunner(Process process, Action<string>? onLine)
    {
        _process = process;
        _onLine = onLine;
    }

    /// <summary>Srs.Node/bin/Release/net10.0/Srs.Node.dll of the repository this tool was built in.</summary>
    public static string DefaultNode()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) dir = dir.Parent;
        return dir is null ? "Srs.Node.dll" : Path.Combine(dir.FullName, "Srs.Node", "bin", "Release", "net10.0", "Srs.Node.dll");
    }

    /// <summary>Starts <paramref name="node"/> (a .dll runs with dotnet) with "-c <paramref name="confPath"/>".</summary>
    /// <param name="logName">The log file in <paramref name="logDir"/> (default node-PID.log).</param>
    /// <param name="onLine">Called with every output line, on the reader's thread.</param>
    public static NodeRunner Start(string node, string confPath, string? logDir = null, string? logName = null, Action<string>? onLine = null)
    {
        var dll = node.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(dll ? "dotnet" : node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dll) psi.ArgumentList.Add(node);
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(confPath);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var runner = new NodeRunner(process, onLine);
        process.OutputDataReceived += (_, e) => runner.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => runner.OnLine(e.Data);
        process.Start();
        if (logDir is not null)
        {
            Directory.CreateDirectory(logDir);
            runner._log = new StreamWriter(Path.Combine(logDir, logName ?? $"node-{process.Id}.log")) { AutoFlush = true };
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_tail) _log?.WriteLine(line);
        _onLine?.Invoke(line);
        _tail.Enqueue(line);
        while (_tail.Count > KeptLines) _tail.TryDequeue(out _);
        lock (_watches)
            foreach (var (text, seen) in _watches)
                if (line.Contains(text, StringComparison.Ordinal)) seen.TrySetResult(line);
    }

    /// <summary>The first line (from now on) containing any of <paramref name="texts"/>.</summary>
    public Task<string> WatchAsync(params string[] texts)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_watches) foreach (var t in texts) _watches.Add((t, seen));
        return seen.Task;
    }

    public string Tail => string.Join('\n', _tail);

    public void Quit()
    {
        if (kill(_process.Id, SigQuit) != 0) throw new InvalidOperationException($"kill -QUIT {_process.Id}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGTERM: the node closes every client and exits within seconds; false when it had already gone.</summary>
    public bool Terminate() => !_process.HasExited && kill(_process.Id, SigTerm) == 0;

    /// <summary>Waits for the exit; false past the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try { await _process.WaitForExitAsync(cts.Token); return true; }
        catch (OperationCanceledException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        else _process.WaitForExit(); // the output is read to its end
        lock (_tail)
        {
            _log?.Dispose();
            _log = null;
        }
        _process.Dispose();
    }
}
