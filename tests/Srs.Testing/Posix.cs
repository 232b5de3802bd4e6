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

    /// <summary>Signals the process ignores (SigIgn of /proc/PID/status), e.g. SIGINT and SIGQUIT when started as `cmd &`.</summary>
    public static bool Ignores(int pid, int sig)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        if (line is null) return false;
        var mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (sig - 1))) != 0;
    }
}
