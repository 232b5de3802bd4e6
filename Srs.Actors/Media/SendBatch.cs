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
/// <para>The window's payloads are pinned for the batch's lifetime, so the kernel reads them where
/// they are; a pump's framing lives in its own pinned scratch. A send whose pieces are not all
/// pinned is refused, and the pump sends it itself.</para>
/// <para>A pump holds its connection's gate from <see cref="TryAdd"/> until the batch reports its
/// result (<see cref="SocketMediaPump"/>), always before <see cref="Dispose"/> returns.</para>
/// <para>Batches are pooled with their rings, a few per core. Where the kernel has no io_uring, or
/// refuses it (a container's seccomp profile, <c>kernel.io_uring_disabled</c>), <see cref="Rent"/>
/// returns null and every pump sends on its own, as before.</para>
/// </remarks>
public sealed class SendBatch : IDisposable
{
    private const int EAGAIN = 11, EINVAL = 22, EOPNOTSUPP = 95;

    /// <summary>A sendmsg takes at most this many iovecs (UIO_MAXIOV); a longer send (a window after a long stall) goes the plain way.</summary>
    private const int MaxPieces = 1024;
    private static readonly ConcurrentStack<SendBatch> Pool = new();
    private static readonly int MaxBatches = Environment.ProcessorCount * 4;
    private static int _created;
    private static string? _refused;

    private readonly SendRing _ring;
    private readonly List<GCHandle> _pins = new();
    private readonly HashSet<object> _pinned = new(ReferenceEqualityComparer.Instance);
    private readonly List<(SocketMediaPump Pump, SafeHandle Socket)> _sends = new();
    private (nint, int)[] _pieces = new (nint, int)[16];
    private bool _broken;

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
            var payload = GC.AllocateArray<byte>(1, pinned: true);
            using var batch = Rent(ReadOnlySpan<MediaPacket>.Empty);
            if (batch is null) return Refused;
            var result = batch.SendOne(server.SafeHandle, payload);
            if (result != 1) Refuse("a test send through io_uring returned " + (result < 0 ? Marshal.GetPInvokeErrorMessage(-result) : result.ToString()));
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Refuse("a test send through io_uring failed: " + e.Message);
        }
        return Refused;
    }

    private static void Refuse(string why) => Interlocked.CompareExchange(ref _refused, why, null);

    /// <summary>One send, submitted at once: its result (bytes or -errno).</summary>
    private int SendOne(SafeHandle socket, byte[] pinned)
    {
        _ring.Queue((int)socket.DangerousGetHandle(), [(AddressOf(new ArraySegment<byte>(pinned)), pinned.Length)], 0);
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
    /// Queues a send of <paramref name="segments"/> to <paramref name="socket"/>; the batch reports its
    /// result to <see cref="SocketMediaPump.Sent"/>. False (nothing queued) if a piece is not pinned,
    /// neither a window payload nor <paramref name="pinnedScratch"/>, or the socket is closed.
    /// </summary>
    internal bool TryAdd(SocketMediaPump pump, SafeHandle socket, List<ArraySegment<byte>> segments, byte[]? pinnedScratch)
    {
        if (_broken) return false;
        if (_pieces.Length < segments.Count) _pieces = new (nint, int)[segments.Count * 2];
        var count = 0;
        foreach (var s in segments)
        {
            if (s.Count == 0) continue;
            if (s.Array != pinnedScratch && !_pinned.Contains(s.Array!)) return false;
            _pieces[count++] = (AddressOf(s), s.Count);
        }
        if (count > MaxPieces) return false;
        if (!_ring.HasRoom(count)) Submit();
        if (_broken) return false;

        var added = false;
        try
        {
            socket.DangerousAddRef(ref added); // the descriptor stays this socket's until the result is in
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        _ring.Queue((int)socket.DangerousGetHandle(), _pieces.AsSpan(0, count), (ulong)_sends.Count);
        _sends.Add((pump, socket));
        return true;
    }

    // Valid only while the array is pinned, which TryAdd has checked.
    private static unsafe nint AddressOf(ArraySegment<byte> s) =>
        (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s.Array!)) + s.Offset;

    /// <summary>Sends everything queued and reports each result to its pump.</summary>
    public void Submit()
    {
        if (_sends.Count == 0) return;
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
        Span<bool> done = stackalloc bool[_sends.Count]; // at most SendRing.Entries: TryAdd submits a full ring
        while (_ring.TryReap(out var id, out var result))
        {
            var (pump, socket) = _sends[(int)id];
            done[(int)id] = true;
            socket.DangerousRelease();
            if (result is -EINVAL or -EOPNOTSUPP)
            {
                // A kernel whose io_uring lacks sendmsg (before 5.3) or refuses it here: nothing was
                // sent; the pump sends it itself, and no batch is rented from now on.
                Refuse("io_uring sendmsg: " + Marshal.GetPInvokeErrorMessage(-result));
                result = -EAGAIN;
            }
            pump.Sent(result);
        }
        for (var i = 0; i < _sends.Count; i++)
        {
            if (done[i]) continue;
            var (pump, socket) = _sends[i];
            socket.DangerousRelease();
            pump.Sent(-EAGAIN);
        }
        _sends.Clear();
    }

    /// <summary>Sends what is still queued, unpins the window and returns the batch to the pool.</summary>
    public void Dispose()
    {
        Submit();
        foreach (var h in _pins) h.Free();
        _pins.Clear();
        _pinned.Clear();
        if (_broken)
        {
            _ring.Dispose();
            Interlocked.Decrement(ref _created);
            return;
        }
        Pool.Push(this);
    }
}
