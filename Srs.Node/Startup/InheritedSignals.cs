using System.Runtime.InteropServices;

namespace Srs.Node.Startup;

/// <summary>
/// A non-interactive shell starts `cmd &amp;` with SIGINT and SIGQUIT ignored, and the .NET runtime
/// never handles a signal that was ignored when it started: a node launched that way (scripts,
/// nohup, some CI and supervisors) would ignore SIGQUIT and never quit gracefully. The contract
/// says these signals quit, so when they arrive ignored the node restores their default and
/// re-executes itself once (same pid, same arguments) before the runtime sets up its handlers.
/// </summary>
public static class InheritedSignals
{
    private const int SigInt = 2;
    private const int SigQuit = 3;
    private const string GuardVariable = "SRS_SIGNALS_RESTORED";

    public static void RestoreIfIgnored()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(GuardVariable) is not null) return;
        var ignored = IgnoredMask();
        if ((ignored & (Bit(SigInt) | Bit(SigQuit))) == 0) return;

        var argv = File.ReadAllText("/proc/self/cmdline").Split('\0', StringSplitOptions.None);
        if (argv.Length > 0 && argv[^1].Length == 0) argv = argv[..^1];
        Environment.SetEnvironmentVariable(GuardVariable, "1");
        SetSignal(SigInt, IntPtr.Zero); // SIG_DFL
        SetSignal(SigQuit, IntPtr.Zero);
        RemoveDiagnosticsSocket();
        Execv("/proc/self/exe", [.. argv, null]);
        // Only reached when exec failed: go on, with signals as they were.
        Console.Error.WriteLine($"warning: SIGINT/SIGQUIT are ignored (inherited) and re-exec failed (errno {Marshal.GetLastPInvokeError()}): they will not quit the node");
    }

    /// <summary>
    /// This runtime's diagnostics socket (dotnet-counters, -trace, -gcdump attach through it) is
    /// named after the pid and the process start time, both unchanged by exec: left in place, the
    /// re-executed runtime cannot bind its own and the tools reach a socket nobody serves any more.
    /// </summary>
    private static void RemoveDiagnosticsSocket()
    {
        try
        {
            var folder = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
            foreach (var path in Directory.EnumerateFiles(folder, $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
                File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not remove the diagnostics socket before re-exec ({e.Message}): diagnostic tools may not attach");
        }
    }

    private static ulong Bit(int signal) => 1UL << (signal - 1);

    private static ulong IgnoredMask()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is null ? 0 : Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
    }

    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static extern IntPtr SetSignal(int signum, IntPtr handler);

    [DllImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static extern int Execv([MarshalAs(UnmanagedType.LPStr)] string path, // LPStr is UTF-8 on Unix
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv);
}
