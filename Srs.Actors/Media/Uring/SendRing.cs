using System.Runtime.InteropServices;
using static Srs.Actors.Media.Uring.UringNative;

namespace Srs.Actors.Media.Uring;

/// <summary>
/// An io_uring instance used for one thing: many non-blocking gathered sends handed to the kernel
/// in one system call. The caller queues sendmsg operations (each with its iovecs, which live in
/// this ring's own native arena), then <see cref="Submit"/> enters the kernel once for all of
/// them and <see cref="TryReap"/> reads their results. Not thread-safe: one user at a time.
/// </summary>
/// <remarks>
/// Every send carries MSG_DONTWAIT, so the kernel never parks one: a full socket completes at once
/// with -EAGAIN (or a short count) during the submit, and nothing stays in flight afterwards; the
/// arena is free again as soon as <see cref="Submit"/> returns.
/// </remarks>
internal sealed unsafe class SendRing : IDisposable
{
    /// <summary>Sends per system call; a larger fan-out takes several.</summary>
    public const int Entries = 256;
    public const int MaxIovecs = 4096;

    private const uint SetupCoopTaskrun = 1 << 8, SetupSubmitAll = 1 << 7;
    private const int EINTR = 4, EINVAL = 22;

    private readonly int _fd;
    private readonly byte* _sqMap, _cqMap;
    private readonly nuint _sqMapLength, _cqMapLength, _sqesLength;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly Sqe* _sqes;
    private readonly uint* _cqHead, _cqTail;
    private readonly uint _cqMask;
    private readonly Cqe* _cqes;
    private readonly MsgHdr* _msgs;
    private readonly IoVec* _iovecs;
    private uint _tail;
    private int _queued, _iovUsed;

    private SendRing(int fd, in Params p, byte* sqMap, nuint sqLength, byte* cqMap, nuint cqLength, Sqe* sqes)
    {
        _fd = fd;
        _sqMap = sqMap; _sqMapLength = sqLength;
        _cqMap = cqMap; _cqMapLength = cqLength;
        _sqes = sqes; _sqesLength = (nuint)(p.SqEntries * sizeof(Sqe));
        _sqTail = (uint*)(sqMap + p.SqOff.Tail);
        _sqMask = *(uint*)(sqMap + p.SqOff.RingMask);
        _tail = *_sqTail;
        // Slot i of the submission array always names entry i: entries are filled in ring order.
        var array = (uint*)(sqMap + p.SqOff.Array);
        for (uint i = 0; i < p.SqEntries; i++) array[i] = i;
        _cqHead = (uint*)(cqMap + p.CqOff.Head);
        _cqTail = (uint*)(cqMap + p.CqOff.Tail);
        _cqMask = *(uint*)(cqMap + p.CqOff.RingMask);
        _cqes = (Cqe*)(cqMap + p.CqOff.Cqes);
        _msgs = (MsgHdr*)NativeMemory.AllocZeroed((nuint)(Entries * sizeof(MsgHdr)));
        _iovecs = (IoVec*)NativeMemory.Alloc((nuint)(MaxIovecs * sizeof(IoVec)));
    }

    /// <summary>A new ring, or null with the reason the kernel refused one (no io_uring, or not allowed here).</summary>
    public static SendRing? TryCreate(out string? refused)
    {
        Params p = default;
        p.Flags = SetupSubmitAll | SetupCoopTaskrun;
        var fd = Setup(Entries, &p);
        if (fd == -EINVAL) // a kernel older than 5.19 does not know the flags: they are optimisations only
        {
            p = default;
            fd = Setup(Entries, &p);
        }
        if (fd < 0)
        {
            refused = "io_uring_setup: " + Marshal.GetPInvokeErrorMessage(-fd);
            return null;
        }

        var sqLength = (nuint)(p.SqOff.Array + p.SqEntries * sizeof(uint));
        var cqLength = (nuint)(p.CqOff.Cqes + p.CqEntries * sizeof(Cqe));
        var single = (p.Features & FeatSingleMmap) != 0;
        if (single) sqLength = cqLength = Math.Max(sqLength, cqLength);
        var sqMap = Map(fd, sqLength, OffSqRing, out var error);
        var cqMap = sqMap is null ? null : single ? sqMap : Map(fd, cqLength, OffCqRing, out error);
        var sqes = cqMap is null ? null : (Sqe*)Map(fd, (nuint)(p.SqEntries * sizeof(Sqe)), OffSqes, out error);
        if (sqes is null)
        {
            if (cqMap is not null && cqMap != sqMap) MUnmap((nint)cqMap, cqLength);
            if (sqMap is not null) MUnmap((nint)sqMap, sqLength);
            Close(fd);
            refused = "mmap of the io_uring rings: " + Marshal.GetPInvokeErrorMessage(error);
            return null;
        }
        refused = null;
        return new SendRing(fd, p, sqMap, sqLength, cqMap, cqLength, sqes);
    }

    public int Queued => _queued;

    /// <summary>Room for one more send of <paramref name="iovecs"/> pieces before a <see cref="Submit"/>.</summary>
    public bool HasRoom(int iovecs) => _queued < Entries && _iovUsed + iovecs <= MaxIovecs;

    /// <summary>Queues a non-blocking sendmsg of <paramref name="pieces"/> (pointers into pinned memory) on <paramref name="fd"/>.</summary>
    public void Queue(int fd, ReadOnlySpan<(nint Address, int Length)> pieces, ulong userData)
    {
        var iov = _iovecs + _iovUsed;
        for (var i = 0; i < pieces.Length; i++) iov[i] = new IoVec { Base = (byte*)pieces[i].Address, Length = (nuint)pieces[i].Length };
        _iovUsed += pieces.Length;

        var msg = _msgs + _queued;
        msg->Iov = iov;
        msg->IovLength = (nuint)pieces.Length;

        var sqe = _sqes + (_tail & _sqMask);
        *sqe = default;
        sqe->Opcode = OpSendMsg;
        sqe->Fd = fd;
        sqe->Addr = (ulong)msg;
        sqe->Len = 1;
        sqe->MsgFlags = MsgDontWait | MsgNoSignal;
        sqe->UserData = userData;
        _tail++;
        _queued++;
    }

    /// <summary>
    /// Hands every queued send to the kernel and waits for all their results (immediate: none can
    /// block). Throws only if the kernel takes none of them; the arena is free again afterwards.
    /// </summary>
    public void Submit()
    {
        if (_queued == 0) return;
        Volatile.Write(ref *_sqTail, _tail); // the entries are visible before the kernel reads the tail
        var left = (uint)_queued;
        var waiting = left;
        while (left > 0)
        {
            var r = Enter(_fd, left, waiting, EnterGetEvents);
            if (r == -EINTR) continue;
            if (r < 0) throw new IOException("io_uring_enter: " + Marshal.GetPInvokeErrorMessage(-r));
            if (r == 0) throw new IOException($"io_uring_enter took none of {left} sends");
            left -= (uint)r;
        }
        _queued = 0;
        _iovUsed = 0;
    }

    /// <summary>The next result: the send's user data and its byte count or -errno.</summary>
    public bool TryReap(out ulong userData, out int result)
    {
        var head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            userData = 0;
            result = 0;
            return false;
        }
        var cqe = _cqes + (head & _cqMask);
        userData = cqe->UserData;
        result = cqe->Res;
        Volatile.Write(ref *_cqHead, head + 1);
        return true;
    }

    public void Dispose()
    {
        MUnmap((nint)_sqes, _sqesLength);
        if (_cqMap != _sqMap) MUnmap((nint)_cqMap, _cqMapLength);
        MUnmap((nint)_sqMap, _sqMapLength);
        Close(_fd);
        NativeMemory.Free(_msgs);
        NativeMemory.Free(_iovecs);
    }
}
