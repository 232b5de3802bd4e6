using System.Runtime.InteropServices;

namespace Srs.Testing;

/// <summary>Sends signals to a process (libc kill), as an operator or an orchestrator would.</summary>
public static class Posix
{
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public static void Signal(int pid, int sig)
    {
        if (kill(pid, sig) != 0) throw new InvalidOperationException($"kill({pid}, {sig}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// SIGSTOP, then waits until every thread of the process has stopped: kill() returns before
    /// that (the thread that takes the signal stops the others only once it runs, which on a busy
    /// machine can take milliseconds), and meanwhile another thread can still accept a connection.
    /// </summary>
    public static async Task StopAsync(int pid, TimeSpan deadline)
    {
        Signal(pid, SIGSTOP);
        await Poll.AssertAsync(() => AllThreadsStopped(pid), deadline, () => $"every thread of pid {pid} stopped");
    }

    /// <summary>Whether every thread of the process is stopped (state T in /proc/PID/task/TID/stat).</summary>
    public static bool AllThreadsStopped(int pid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; } // the thread has exited
            // "tid (comm) S ...": the name may hold spaces and parentheses, the state follows the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            if (state is not ('T' or 't')) return false;
        }
        return true;
    }

    /// <summary>Signals the process ignores (SigIgn of /proc/PID/status), e.g. SIGINT and SIGQUIT when started as `cmd &`.</summary>
    public static bool Ignores(int pid, int sig)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        if (line is null) return false;
        var mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (sig - 1))) != 0;
    }
}
