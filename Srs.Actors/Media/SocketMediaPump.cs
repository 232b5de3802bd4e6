using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Srs.Actors.Stats;

namespace Srs.Actors.Media;

/// <summary>
/// A pump that writes each batch as one gathered, non-blocking send straight to the player's
/// socket. A subclass lays the batch out: its framing (chunk or tag headers, and small payloads
/// such as AAC frames) goes into a per-player scratch buffer, larger payloads (video frames) are
/// referenced where the publisher's connection put them, shared by every player, never copied.
/// </summary>
/// <remarks>
/// The socket is made non-blocking for synchronous calls (async calls are unaffected), so a send
/// takes what fits in the socket buffer at once; the rest goes out asynchronously and the pump
/// waits for it before the next batch.
/// </remarks>
public abstract class SocketMediaPump : MediaPump
{
    /// <summary>
    /// Payloads shorter than this are copied next to their header: one segment instead of two, for a
    /// send of its own (each segment is pinned for it). In a <see cref="SendBatch"/> every payload
    /// is already pinned and a segment costs nothing, so none is copied and the scratch holds headers only.
    /// </summary>
    protected int CopyBelow => _batched ? 0 : 1024;

    private readonly Socket _socket;
    private readonly SafeHandle _handle; // kept: a batched send needs only the descriptor, not the Socket
    private readonly ServerStats _stats;
    private List<ArraySegment<byte>> _segments = new(16);

    /// <summary>
    /// Enough for a steady-state batch (a few frames with their audio); larger ones rent from the pool.
    /// Pinned for good (the pinned object heap), so a <see cref="SendBatch"/> can hand it to the kernel.
    /// </summary>
    private readonly byte[] _ownScratch = GC.AllocateUninitializedArray<byte>(1024, pinned: true);
    private byte[] _scratch;
    private int _pos;
    private int _runStart;
    private int _total;
    private bool _batched;
    private long _sent;

    /// <param name="gate">Shared with the connection's other writer, if it has one (RTMP command replies); null: its own.</param>
    protected SocketMediaPump(PlayerQueue queue, WriteGate? gate, Socket socket, ClientStats client, ServerStats stats)
        : base(queue, gate ?? new WriteGate())
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _stats = stats;
        _scratch = _ownScratch;
        socket.Blocking = false;
        client.CountMediaBytesOut(() => Volatile.Read(ref _sent));
    }

    /// <summary>An upper bound of the scratch bytes <see cref="Layout"/> writes for this batch.</summary>
    protected abstract int ScratchNeeded(ReadOnlySpan<MediaPacket> batch);

    /// <summary>Lays the batch out with <see cref="Scratch"/>/<see cref="Advance"/> and <see cref="Payload"/>; nothing at all skips it.</summary>
    protected abstract void Layout(ReadOnlySpan<MediaPacket> batch);

    /// <summary>Where the next framing bytes go; call <see cref="Advance"/> with how many were written.</summary>
    protected Span<byte> Scratch => _scratch.AsSpan(_pos);

    protected void Advance(int count) => _pos += count;

    /// <summary>Bytes of a payload: copied when short, otherwise referenced as a segment of its own.</summary>
    protected void Payload(ReadOnlyMemory<byte> piece)
    {
        if (piece.IsEmpty) return;
        if (piece.Length < CopyBelow)
        {
            piece.Span.CopyTo(_scratch.AsSpan(_pos));
            _pos += piece.Length;
            return;
        }
        Cut();
        _segments.Add(MemoryMarshal.TryGetArray(piece, out var segment) ? segment : new ArraySegment<byte>(piece.ToArray()));
        _total += piece.Length;
    }

    protected sealed override ValueTask WriteAsync(ReadOnlySpan<MediaPacket> batch)
    {
        Prepare(batch, batched: false);
        return _total == 0 ? ValueTask.CompletedTask : SendPrepared();
    }

    protected sealed override bool TryWriteBatched(ReadOnlySpan<MediaPacket> packets, SendBatch sends)
    {
        Prepare(packets, batched: true);
        if (_total == 0)
        {
            EndDirectWrite(ValueTask.CompletedTask);
            return true;
        }
        if (!sends.TryAdd(this, _handle, _segments, _scratch == _ownScratch ? _ownScratch : null))
        {
            ValueTask write;
            try { write = SendPrepared(); }
            catch (Exception e) { write = ValueTask.FromException(e); }
            EndDirectWrite(write);
        }
        return true;
    }

    /// <summary>The result of this pump's send in a <see cref="SendBatch"/>: bytes sent, or -errno.</summary>
    internal void Sent(int result)
    {
        const int EAGAIN = 11;
        ValueTask rest;
        try
        {
            rest = result >= 0 ? AfterSend(result)
                : result == -EAGAIN ? AfterSend(0)
                : ValueTask.FromException(new IOException(Marshal.GetPInvokeErrorMessage(-result)));
        }
        catch (Exception e)
        {
            rest = ValueTask.FromException(e);
        }
        EndDirectWrite(rest);
    }

    /// <summary>Lays the batch out into segments: framing in the scratch, payloads referenced (or copied, see <see cref="CopyBelow"/>).</summary>
    private void Prepare(ReadOnlySpan<MediaPacket> batch, bool batched)
    {
        ReturnScratch();
        _batched = batched;
        var need = ScratchNeeded(batch);
        if (need > _scratch.Length) _scratch = ArrayPool<byte>.Shared.Rent(need);
        _segments.Clear();
        _pos = _runStart = _total = 0;
        Layout(batch);
        Cut();
    }

    /// <summary>One non-blocking gathered send of the prepared segments; what does not fit goes out asynchronously.</summary>
    private ValueTask SendPrepared()
    {
        var sent = _socket.Send(_segments, SocketFlags.None, out var error);
        if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
        return AfterSend(error == SocketError.WouldBlock ? 0 : sent);
    }

    private ValueTask AfterSend(int sent)
    {
        Count(sent);
        if (sent == _total)
        {
            ReturnScratch();
            if (_segments.Capacity > MediaPump.TrimAbove) _segments = new List<ArraySegment<byte>>(16);
            return ValueTask.CompletedTask;
        }
        // The rest goes out asynchronously; the scratch stays in use until the next batch.
        return new ValueTask(SendRestAsync(Remainder(sent), _total - sent));
    }

    /// <summary>Ends the scratch run written since the last cut as a segment of its own.</summary>
    private void Cut()
    {
        var n = _pos - _runStart;
        if (n > 0) _segments.Add(new ArraySegment<byte>(_scratch, _runStart, n));
        _total += n;
        _runStart = _pos;
    }

    private void ReturnScratch()
    {
        if (_scratch == _ownScratch) return;
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = _ownScratch;
    }

    /// <summary>The segments after the first <paramref name="sent"/> bytes (a copy: the slow path only).</summary>
    private List<ArraySegment<byte>> Remainder(int sent)
    {
        var rest = new List<ArraySegment<byte>>(_segments.Count);
        foreach (var s in _segments)
        {
            if (sent >= s.Count) { sent -= s.Count; continue; }
            rest.Add(sent > 0 ? s.Slice(sent) : s);
            sent = 0;
        }
        return rest;
    }

    private async Task SendRestAsync(List<ArraySegment<byte>> rest, int bytes)
    {
        // Socket.SendAsync with a buffer list completes when every byte is sent.
        var n = await _socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
        Count(n);
        if (n != bytes) throw new IOException($"sent {n} of {bytes} bytes");
    }

    private void Count(int bytes)
    {
        if (bytes <= 0) return;
        Volatile.Write(ref _sent, _sent + bytes); // one writer: whoever holds the gate
        _stats.AddBytesOut(bytes);
    }
}
