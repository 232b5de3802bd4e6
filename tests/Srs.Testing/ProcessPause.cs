namespace Srs.Testing;

/// <summary>
/// A process paused (SIGSTOP) until disposed (SIGCONT). <see cref="StartAsync"/> returns once every
/// thread of it is stopped: the signal only asks, and a thread running at that moment (say, about
/// to accept a connection) still completes what it was doing.
/// </summary>
public sealed class ProcessPause : IDisposable
{
    private readonly int _pid;
    private int _resumed;

    private ProcessPause(int pid) => _pid = pid;

    public static async Task<ProcessPause> StartAsync(int pid)
    {
        Posix.Signal(pid, Posix.SIGSTOP);
        var pause = new ProcessPause(pid);
        try
        {
            await Poll.AssertAsync(() => Task.FromResult(AllStopped(pid)), TimeSpan.FromSeconds(10), () => $"every thread of pid {pid} stopped");
            return pause;
        }
        catch
        {
            pause.Dispose();
            throw;
        }
    }

    /// <summary>Every thread is in state T (stopped), per /proc/PID/task/TID/stat.</summary>
    private static bool AllStopped(int pid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; } // the thread has exited
            // "tid (name) S ...": the state follows the last ')' (a name may hold spaces and parentheses).
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            if (state is not ('T' or 't')) return false;
        }
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _resumed, 1) == 0) Posix.Signal(_pid, Posix.SIGCONT);
    }
}
