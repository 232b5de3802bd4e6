using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// A process a test started: its output is captured line by line (into <see cref="Log"/> and to
/// an optional per-line callback), it can be signalled, and it is killed (with its children) on
/// dispose, on failure too. Every live child is also killed when the test host exits.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly TaskCompletionSource _stdoutDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Live.Values)
                try { p.Kill(entireProcessTree: true); } catch { /* already gone */ }
        };
    }

    public string Name { get; }
    public string CommandLine { get; }
    public LineLog Log { get; }
    public int Id => _process.Id;

    private ChildProcess(string name, ProcessStartInfo info, Func<string, bool>? onStdoutLine, int logLines)
    {
        Name = name;
        CommandLine = info.FileName + " " + string.Join(' ', info.ArgumentList.Select(a => a.Contains(' ') ? $"'{a}'" : a));
        Log = new LineLog(logLines);
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { _stdoutDone.TrySetResult(); return; }
            if (onStdoutLine is null || !onStdoutLine(e.Data)) Log.Add("out", e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { _stderrDone.TrySetResult(); return; }
            Log.Add("err", e.Data);
        };
    }

    /// <param name="onStdoutLine">Sees each stdout line first; a line it returns false for goes to the log.</param>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments,
        string? workingDirectory = null, Func<string, bool>? onStdoutLine = null, int logLines = 400)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var child = new ChildProcess(name, info, onStdoutLine, logLines);
        child._process.Start();
        Live[child._process.Id] = child._process;
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, or null while running.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Waits for exit (and for its output to be read); false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutDone.Task, _stderrDone.Task).WaitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    public const int SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGTERM = 15;

    public void Signal(int signal)
    {
        if (_process.HasExited) return;
        if (SysKill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* exited meanwhile */ }
        await WaitForExitAsync(TimeSpan.FromSeconds(5));
    }

    public string Describe(int lines = 60)
    {
        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";
        return $"--- {Name} (pid {_process.Id}, {state}): {CommandLine}\n{Log.Tail(lines)}";
    }

    private int _disposed;

    /// <summary>Kills it if running; a second call (a test and its scenario both own it) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await KillAsync();
        Live.TryRemove(_process.Id, out _);
        _process.Dispose();
    }
}
