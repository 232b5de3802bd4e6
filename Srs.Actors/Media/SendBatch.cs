using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Srs.Actors.Media.Uring;

namespace Srs.Actors.Media;

/// <summary>
/// The sends of one merged write, handed to the kernel together: a source fanning a window out to
/// 2,000 players makes one io_uring system call per <see cref="SendRing.Entries"/> players
/// instead of one sendmsg each. On this kind of machine entering and leaving the kernel is a large
/// part of a send's cost; batched, a send costs the kernel about a third less and the node a quarter
/// less CPU at 2,000 players (docs/performance.md).
/// </summary>
/// <remarks>
/// <para>A pump lays its send out straight into the batch (<see cref="Open"/>, <see cref="Framing"/>,
/// <see cref="Advance"/>, <see cref="AddPayload"/>, <see cref="Close"/>): its framing (chunk or tag
/// headers) goes into the batch's native arena, next to every other player's, and its payloads are
/// referenced where they are, pinned for the batch's lifetime (the window's at <see cref="Rent"/>).
/// A player's send touches no buffer or list of its own: at 2,000 players that is thousands of
/// objects fewer to reach per window, and ~1.6 KB less memory per player.</para>
/// <para>Sends complete during <see cref="Submit"/> (none can block), which is when the arena is free again.</para>
/// <para>A pump holds its connection's gate from <see cref="Open"/> until the batch reports its
/// result (<see cref="SocketMediaPump.Sent"/>), always before <see cref="Dispose"/> returns.</para>
/// <para>Batches are pooled with their rings, a few per core. Where the kernel has no io_uring, or
/// refuses it (a container's seccomp profile, <c>kernel.io_uring_disabled</c>), <see cref="Rent"/>
/// returns null and every pump sends on its own, as before.</para>
/// </remarks>
public sealed unsafe class SendBatch : IDisposable
{
    private const int EAGAIN = 11, EINVAL = 22, EOPNOTSUPP = 95;

    /// <summary>A sendmsg takes at most this many iovecs (UIO_MAXIOV); a longer send (a window after a long stall) goes the plain way.</summary>
    private const int MaxPieces = 1024;

    /// <summary>Framing bytes per ring round: ~100 per player's window, so a full ring takes a tenth of it.</summary>
    internal const int FramingBytes = 256 * 1024;

    private static readonly ConcurrentStack<SendBatch> Pool = new();
    private static readonly int MaxBatches = Environment.ProcessorCount * 4;
    private static int _created;
    private static string? _refused;

    private readonly SendRing _ring;
    private readonly byte* _framing = (byte*)NativeMemory.Alloc(FramingBytes);
    private readonly List<GCHandle> _pins = new();
    private readonly List<MemoryHandle> _strays = new(); // pieces from outside the window, pinned on the way
    private readonly HashSet<object> _pinned = new(ReferenceEqualityComparer.Instance);
    private readonly List<Send> _sends = new();
    private (nint Address, int Length)[] _pieces = new (nint, int)[64]; // every queued send's, in order, until the round is submitted
    private int _pieceCount, _framingUsed;
    private bool _broken;

    // The send being laid out, between Open and Close.
    private bool _open;
    private int _openFirst, _runStart, _openTotal;

    private readonly record struct Send(SocketMediaPump Pump, SafeHandle Socket, int First, int Count, int Total);

    private SendBatch(SendRing ring) => _ring = ring;

    /// <summary>Null while batched sends work here; otherwise why not (read after the first <see cref="Rent"/> or <see cref="Probe"/>).</summary>
    public static string? Refused => Volatile.Read(ref _refused);

    /// <summary>
    /// Tries a ring once, with one real send over a loopback connection, so the node can log at
    /// start whether sends are batched; null when they are, otherwise why not.
    /// </summary>
    public static string? Probe()
    {
        if (Refused is not null) return Refused;
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            listener.Listen(1);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(listener.LocalEndPoint!);
            using var server = listener.Accept();
            using var batch = Rent(ReadOnlySpan<MediaPacket>.Empty);
            if (batch is null) return Refused;
            var result = batch.SendOne(server.SafeHandle);
            if (result != 1) Refuse("a test send through io_uring returned " + (result < 0 ? Marshal.GetPInvokeErrorMessage(-result) : result.ToString()));
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Refuse("a test send through io_uring failed: " + e.Message);
        }
        return Refused;
    }

    private static void Refuse(string why) => Interlocked.CompareExchange(ref _refused, why, null);

    /// <summary>One byte from the arena, submitted at once: its result (bytes or -errno).</summary>
    private int SendOne(SafeHandle socket)
    {
        *_framing = 1;
        _ring.Queue((int)socket.DangerousGetHandle(), [((nint)_framing, 1)], 0);
        _ring.Submit();
        return _ring.TryReap(out _, out var result) ? result : -EAGAIN;
    }

    /// <summary>A batch for a merged write of <paramref name="window"/>, its payloads pinned; null when io_uring is unavailable or every pooled batch is in use.</summary>
    public static SendBatch? Rent(ReadOnlySpan<MediaPacket> window)
    {
        if (Refused is not null) return null;
        if (!Pool.TryPop(out var batch))
        {
            if (Interlocked.Increment(ref _created) > MaxBatches)
            {
                Interlocked.Decrement(ref _created);
                return null;
            }
            var ring = SendRing.TryCreate(out var refused);
            if (ring is null)
            {
                Interlocked.Decrement(ref _created);
                Refuse(refused!);
                return null;
            }
            batch = new SendBatch(ring);
        }
        foreach (var p in window) batch.Pin(p.Payload);
        return batch;
    }

    private void Pin(ReadOnlyMemory<byte> payload)
    {
        if (!MemoryMarshal.TryGetArray(payload, out var segment) || segment.Array is null) return;
        if (_pinned.Add(segment.Array)) _pins.Add(GCHandle.Alloc(segment.Array, GCHandleType.Pinned));
    }

    /// <summary>
    /// Starts laying out a send whose framing takes at most <paramref name="framing"/> bytes; false
    /// (nothing started) if it cannot be batched, and the pump sends it itself.
    /// </summary>
    internal bool Open(int framing)
    {
        if (_broken || framing > FramingBytes) return false;
        if (!_ring.HasRoom(1) || FramingBytes - _framingUsed < framing) Submit();
        if (_broken) return false;
        _open = true;
        _openFirst = _pieceCount;
        _runStart = _framingUsed;
        _openTotal = 0;
        return true;
    }

    /// <summary>Where the open send's next framing bytes go; <see cref="Advance"/> says how many were written.</summary>
    internal Span<byte> Framing => new(_framing + _framingUsed, FramingBytes - _framingUsed);

    internal void Advance(int count) => _framingUsed += count;

    /// <summary>A payload piece of the open send, referenced where it is; one from outside the window is pinned here.</summary>
    internal void AddPayload(ReadOnlyMemory<byte> piece)
    {
        if (piece.IsEmpty) return;
        Cut();
        nint address;
        if (MemoryMarshal.TryGetArray(piece, out var segment) && segment.Array is not null && _pinned.Contains(segment.Array))
        {
            address = AddressOf(segment);
        }
        else
        {
            var handle = piece.Pin();
            _strays.Add(handle);
            address = (nint)handle.Pointer;
        }
        AddPiece(address, piece.Length);
    }

    /// <summary>
    /// Ends the open send and queues it for <paramref name="socket"/>; the batch reports its result to
    /// <see cref="SocketMediaPump.Sent"/> once submitted. A send with nothing in it, one with more
    /// pieces than a sendmsg takes, or one for a closed socket is reported at once instead (sent
    /// nothing, not sent, failed), with its pieces, so the pump deals with it as with a full socket.
    /// </summary>
    internal void Close(SocketMediaPump pump, SafeHandle socket)
    {
        const int EBADF = 9;
        Cut();
        _open = false;
        var count = _pieceCount - _openFirst;
        var refused = count == 0 ? 0 : count > MaxPieces ? -EAGAIN : !TryAddRef(socket) ? -EBADF : 1;
        if (refused == 1 && !_ring.HasRoom(count))
        {
            // Submit what came before; the open send's pieces move to the front (its framing stays where it is).
            _open = true;
            Submit();
            _open = false;
            if (_broken)
            {
                socket.DangerousRelease();
                refused = -EAGAIN;
            }
        }
        if (refused != 1)
        {
            _pieceCount = _openFirst; // its framing stays used until the round is submitted
            pump.Sent(refused, _openTotal, _pieces.AsSpan(_openFirst, count));
            return;
        }
        _ring.Queue((int)socket.DangerousGetHandle(), _pieces.AsSpan(_openFirst, count), (ulong)_sends.Count);
        _sends.Add(new Send(pump, socket, _openFirst, count, _openTotal));
    }

    /// <summary>Abandons the open send (its layout failed): nothing of it is queued.</summary>
    internal void Abandon()
    {
        _open = false;
        _pieceCount = _openFirst;
    }

    private static bool TryAddRef(SafeHandle socket)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added); // the descriptor stays this socket's until the result is in
        }
        catch (ObjectDisposedException)
        {
        }
        return added;
    }

    /// <summary>Ends the framing run written since the last piece as a piece of its own.</summary>
    private void Cut()
    {
        var n = _framingUsed - _runStart;
        if (n > 0) AddPiece((nint)(_framing + _runStart), n);
        _runStart = _framingUsed;
    }

    private void AddPiece(nint address, int length)
    {
        if (_pieceCount == _pieces.Length) Array.Resize(ref _pieces, _pieces.Length * 2);
        _pieces[_pieceCount++] = (address, length);
        _openTotal += length;
    }

    // Valid only while the array is pinned, which the caller has checked.
    private static nint AddressOf(ArraySegment<byte> s) =>
        (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s.Array!)) + s.Offset;

    /// <summary>Sends everything queued and reports each result to its pump.</summary>
    public void Submit()
    {
        if (_sends.Count > 0)
        {
            try
            {
                _ring.Submit();
            }
            catch (IOException)
            {
                // The kernel took none or only some: whatever has no result was not sent (the pumps send
                // it themselves, asynchronously), and this ring, which may still hold them, is not reused.
                _broken = true;
            }
            Span<bool> done = stackalloc bool[_sends.Count]; // at most SendRing.Entries: a full ring is submitted first
            while (_ring.TryReap(out var id, out var result))
            {
                done[(int)id] = true;
                if (result is -EINVAL or -EOPNOTSUPP)
                {
                    // A kernel whose io_uring lacks sendmsg (before 5.3) or refuses it here: nothing was
                    // sent; the pump sends it itself, and no batch is rented from now on.
                    Refuse("io_uring sendmsg: " + Marshal.GetPInvokeErrorMessage(-result));
                    result = -EAGAIN;
                }
                Report(_sends[(int)id], result);
            }
            for (var i = 0; i < _sends.Count; i++)
            {
                if (!done[i]) Report(_sends[i], -EAGAIN);
            }
            _sends.Clear();
        }
        if (_open)
        {
            // Only Close submits with a send open: its pieces are the last ones, and stay.
            _pieces.AsSpan(_openFirst, _pieceCount - _openFirst).CopyTo(_pieces);
            _pieceCount -= _openFirst;
            _openFirst = 0;
            return;
        }
        _pieceCount = 0;
        _framingUsed = 0;
    }

    private void Report(in Send send, int result)
    {
        send.Socket.DangerousRelease();
        send.Pump.Sent(result, send.Total, _pieces.AsSpan(send.First, send.Count));
    }

    /// <summary>Sends what is still queued, unpins the window and returns the batch to the pool.</summary>
    public void Dispose()
    {
        Submit();
        foreach (var h in _pins) h.Free();
        _pins.Clear();
        foreach (var h in _strays) h.Dispose();
        _strays.Clear();
        _pinned.Clear();
        if (_broken)
        {
            _ring.Dispose();
            NativeMemory.Free(_framing);
            Interlocked.Decrement(ref _created);
            return;
        }
        Pool.Push(this);
    }
}
