using System.Runtime.InteropServices;

namespace Srs.Actors.Media.Uring;

/// <summary>
/// The few parts of the Linux io_uring interface the send ring uses: its two system calls, the
/// mmap offsets, and the kernel's structure layouts (include/uapi/linux/io_uring.h).
/// </summary>
internal static unsafe partial class UringNative
{
    // The same numbers on every architecture (the unified syscall table, Linux 5.1+).
    private const long SysSetup = 425;
    private const long SysEnter = 426;

    public const ulong OffSqRing = 0;
    public const ulong OffCqRing = 0x8000000;
    public const ulong OffSqes = 0x10000000;

    public const uint FeatSingleMmap = 1 << 0;
    public const uint EnterGetEvents = 1 << 0;
    public const byte OpSendMsg = 9;

    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;

    private const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MapPopulate = 0x8000;

    [StructLayout(LayoutKind.Sequential)]
    public struct SqRingOffsets { public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1; public ulong UserAddr; }

    [StructLayout(LayoutKind.Sequential)]
    public struct CqRingOffsets { public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1; public ulong UserAddr; }

    [StructLayout(LayoutKind.Sequential)]
    public struct Params
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd, Resv0, Resv1, Resv2;
        public SqRingOffsets SqOff;
        public CqRingOffsets CqOff;
    }

    /// <summary>A submission queue entry, 64 bytes; only the fields a sendmsg uses are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(16)] public ulong Addr;
        [FieldOffset(24)] public uint Len;
        [FieldOffset(28)] public uint MsgFlags;
        [FieldOffset(32)] public ulong UserData;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Cqe { public ulong UserData; public int Res; public uint Flags; }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec { public byte* Base; public nuint Length; }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    // syscall(2) is variadic; with integer arguments only, the fixed-argument call is the same on x86-64 and arm64.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint MMap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <returns>The ring's descriptor, or -errno.</returns>
    public static int Setup(uint entries, Params* p)
    {
        var r = Syscall(SysSetup, entries, (long)p, 0, 0, 0, 0);
        return r < 0 ? -Marshal.GetLastPInvokeError() : (int)r;
    }

    /// <returns>How many entries were submitted, or -errno.</returns>
    public static int Enter(int fd, uint toSubmit, uint minComplete, uint flags)
    {
        var r = Syscall(SysEnter, fd, toSubmit, minComplete, flags, 0, 0);
        return r < 0 ? -Marshal.GetLastPInvokeError() : (int)r;
    }

    /// <returns>The mapping, or null (errno in <paramref name="error"/>).</returns>
    public static byte* Map(int fd, nuint length, ulong offset, out int error)
    {
        var p = MMap(0, length, ProtRead | ProtWrite, MapShared | MapPopulate, fd, (long)offset);
        error = p == -1 ? Marshal.GetLastPInvokeError() : 0;
        return p == -1 ? null : (byte*)p;
    }
}
