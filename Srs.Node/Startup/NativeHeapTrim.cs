using System.Runtime.InteropServices;

namespace Srs.Node.Startup;

/// <summary>
/// Gives the C heap's free pages back to the OS. Starting the node (the JIT, the type loader, Akka
/// and Kestrel setting up) frees 6-9 MB of native memory that glibc keeps resident: its own trim
/// only releases the top of the main heap, not free pages inside it or in the per-thread arenas.
/// <c>malloc_trim(0)</c> releases every whole free page (docs/performance.md, "Idle footprint").
/// Runs shortly after start and then every minute (tiered compilation keeps compiling, and
/// freeing, for a while); each call takes well under a millisecond at this heap size.
/// Does nothing where there is no glibc (musl has no malloc_trim).
/// </summary>
public sealed class NativeHeapTrim : IDisposable
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    private static volatile bool _unavailable;
    private readonly Timer? _timer;

    private NativeHeapTrim(Timer? timer) => _timer = timer;

    public static NativeHeapTrim Start() =>
        new(OperatingSystem.IsLinux() ? new Timer(_ => TrimOnce(), null, First, Every) : null);

    /// <summary>One malloc_trim(0); false when this libc has none (later calls then return at once).</summary>
    public static bool TrimOnce()
    {
        if (_unavailable) return false;
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }

    // "libc" is resolved to libc.so.6 by the runtime on Linux.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    public void Dispose() => _timer?.Dispose();
}
