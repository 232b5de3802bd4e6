using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Srs.Actors.Stats;

namespace Srs.Actors.Media;

/// <summary>
/// A pump that writes each batch as one gathered, non-blocking send straight to the player's
/// socket. A subclass lays the batch out: its framing (chunk or tag headers, and small payloads
/// such as AAC frames) goes into a scratch buffer, larger payloads (video frames) are referenced
/// where the publisher's connection put them, shared by every player, never copied.
/// </summary>
/// <remarks>
/// <para>In a source's merged write the batch is laid out straight into the <see cref="SendBatch"/>
/// (its framing arena, its list of pieces), so a player that keeps up has no buffer or list of its
/// own; otherwise (catching up, or no io_uring) into a scratch rented for the send and segments of
/// its own.</para>
/// <para>The socket is made non-blocking for synchronous calls (async calls are unaffected), so a send
/// takes what fits in the socket buffer at once; the rest goes out asynchronously and the pump
/// waits for it before the next batch.</para>
/// </remarks>
public abstract class SocketMediaPump : MediaPump, IByteCounter
{
    /// <summary>
    /// Payloads shorter than this are copied next to their header: one segment instead of two, for a
    /// send of its own (each segment is pinned for it). In a <see cref="SendBatch"/> every payload
    /// is already pinned and a piece costs nothing, so none is copied and the framing is headers only.
    /// </summary>
    protected int CopyBelow => _into is null ? 1024 : 0;

    /// <summary>Segments a steady-state send needs; a list grown past it by a burst (a new player's GOP) is let go.</summary>
    private const int SteadySegments = 16;

    private readonly Socket _socket;
    private readonly SafeHandle _handle; // kept: a batched send needs only the descriptor, not the Socket
    private readonly ServerStats _stats;
    private SendBatch? _into; // the batch being laid out in, during a merged write
    private long _sent;

    // A send of its own: the scratch is rented for it and given back once every byte is out.
    private List<ArraySegment<byte>>? _segments;
    private byte[]? _scratch;
    private int _pos;
    private int _runStart;
    private int _total;

    /// <param name="gate">Shared with the connection's other writer, if it has one (RTMP command replies); null: its own.</param>
    protected SocketMediaPump(PlayerQueue queue, WriteGate? gate, Socket socket, ClientStats client, ServerStats stats)
        : base(queue, gate ?? new WriteGate())
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _stats = stats;
        socket.Blocking = false;
        client.CountMediaBytesOut(this);
    }

    /// <summary>Media bytes sent to the player so far.</summary>
    public long BytesSent => Volatile.Read(ref _sent);

    /// <summary>An upper bound of the scratch bytes <see cref="Layout"/> writes for this batch.</summary>
    protected abstract int ScratchNeeded(ReadOnlySpan<MediaPacket> batch);

    /// <summary>Lays the batch out with <see cref="Scratch"/>/<see cref="Advance"/> and <see cref="Payload"/>; nothing at all skips it.</summary>
    protected abstract void Layout(ReadOnlySpan<MediaPacket> batch);

    /// <summary>Where the next framing bytes go; call <see cref="Advance"/> with how many were written.</summary>
    protected Span<byte> Scratch => _into is { } batch ? batch.Framing : _scratch.AsSpan(_pos);

    protected void Advance(int count)
    {
        if (_into is { } batch) batch.Advance(count);
        else _pos += count;
    }

    /// <summary>Bytes of a payload: copied when short, otherwise referenced as a segment of its own.</summary>
    protected void Payload(ReadOnlyMemory<byte> piece)
    {
        if (piece.IsEmpty) return;
        if (_into is { } batch)
        {
            batch.AddPayload(piece);
            return;
        }
        if (piece.Length < CopyBelow)
        {
            piece.Span.CopyTo(_scratch.AsSpan(_pos));
            _pos += piece.Length;
            return;
        }
        Cut();
        _segments!.Add(MemoryMarshal.TryGetArray(piece, out var segment) ? segment : new ArraySegment<byte>(piece.ToArray()));
        _total += piece.Length;
    }

    protected sealed override ValueTask WriteAsync(ReadOnlySpan<MediaPacket> batch)
    {
        Prepare(batch);
        if (_total > 0) return SendPrepared();
        ReturnScratch();
        return ValueTask.CompletedTask;
    }

    protected sealed override bool TryWriteBatched(ReadOnlySpan<MediaPacket> packets, SendBatch sends)
    {
        _into = sends;
        try
        {
            if (!sends.Open(ScratchNeeded(packets))) return false;
            try
            {
                Layout(packets);
            }
            catch
            {
                sends.Abandon();
                throw;
            }
        }
        finally
        {
            _into = null;
        }
        sends.Close(this, _handle); // reports to Sent, now or once submitted
        return true;
    }

    /// <summary>
    /// The result of this pump's send in a <see cref="SendBatch"/>: bytes sent or -errno, of
    /// <paramref name="total"/> in <paramref name="pieces"/> (the batch's memory, valid during the call).
    /// </summary>
    internal void Sent(int result, int total, ReadOnlySpan<(nint Address, int Length)> pieces)
    {
        const int EAGAIN = 11;
        ValueTask rest;
        try
        {
            if (result == -EAGAIN) result = 0;
            if (result < 0) throw new IOException(Marshal.GetPInvokeErrorMessage(-result));
            Count(result);
            rest = result == total ? ValueTask.CompletedTask : SendUnsent(pieces, result, total - result);
        }
        catch (Exception e)
        {
            rest = ValueTask.FromException(e);
        }
        EndDirectWrite(rest);
    }

    /// <summary>What a batched send left behind, copied (the batch's memory is reused) and sent asynchronously.</summary>
    private unsafe ValueTask SendUnsent(ReadOnlySpan<(nint Address, int Length)> pieces, int skip, int bytes)
    {
        var copy = ArrayPool<byte>.Shared.Rent(bytes);
        var at = 0;
        foreach (var (address, length) in pieces)
        {
            if (skip >= length)
            {
                skip -= length;
                continue;
            }
            new ReadOnlySpan<byte>((byte*)address + skip, length - skip).CopyTo(copy.AsSpan(at));
            at += length - skip;
            skip = 0;
        }
        return new ValueTask(SendCopyAsync(copy, bytes));
    }

    private async Task SendCopyAsync(byte[] copy, int bytes)
    {
        try
        {
            // Socket.SendAsync completes when every byte is sent.
            var n = await _socket.SendAsync(copy.AsMemory(0, bytes), SocketFlags.None).ConfigureAwait(false);
            Count(n);
            if (n != bytes) throw new IOException($"sent {n} of {bytes} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Lays the batch out into segments of its own: framing in a rented scratch, payloads referenced (or copied, see <see cref="CopyBelow"/>).</summary>
    private void Prepare(ReadOnlySpan<MediaPacket> batch)
    {
        _scratch = ArrayPool<byte>.Shared.Rent(ScratchNeeded(batch));
        (_segments ??= new List<ArraySegment<byte>>(SteadySegments)).Clear();
        _pos = _runStart = _total = 0;
        Layout(batch);
        Cut();
    }

    /// <summary>One non-blocking gathered send of the prepared segments; what does not fit goes out asynchronously.</summary>
    private ValueTask SendPrepared()
    {
        var sent = _socket.Send(_segments!, SocketFlags.None, out var error);
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            ReturnScratch();
            throw new SocketException((int)error);
        }
        if (error == SocketError.WouldBlock) sent = 0;
        Count(sent);
        if (sent < _total) return new ValueTask(SendRestAsync(Remainder(sent), _total - sent));
        ReturnScratch();
        if (_segments!.Capacity > SteadySegments) _segments = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the scratch run written since the last cut as a segment of its own.</summary>
    private void Cut()
    {
        var n = _pos - _runStart;
        if (n > 0) _segments!.Add(new ArraySegment<byte>(_scratch!, _runStart, n));
        _total += n;
        _runStart = _pos;
    }

    private void ReturnScratch()
    {
        if (_scratch is null) return;
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = null;
    }

    /// <summary>The segments after the first <paramref name="sent"/> bytes (a copy: the slow path only).</summary>
    private List<ArraySegment<byte>> Remainder(int sent)
    {
        var rest = new List<ArraySegment<byte>>(_segments!.Count);
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
        try
        {
            // Socket.SendAsync with a buffer list completes when every byte is sent.
            var n = await _socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
            Count(n);
            if (n != bytes) throw new IOException($"sent {n} of {bytes} bytes");
        }
        finally
        {
            ReturnScratch(); // the scratch is in the rest until it is out
        }
    }

    private void Count(int bytes)
    {
        if (bytes <= 0) return;
        Volatile.Write(ref _sent, _sent + bytes); // one writer: whoever holds the gate
        _stats.AddBytesOut(bytes);
    }
}
