using System.Buffers;
using System.Net.Sockets;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Actors.Rtmp;

/// <summary>
/// An RTMP player's media path: each batch becomes one gathered, non-blocking send straight to the
/// socket. Chunk headers (and small payloads such as AAC frames) are written into a per-player
/// scratch buffer; larger payloads (video frames) are referenced where the publisher's connection
/// put them, shared by every player, never copied per player.
/// </summary>
/// <remarks>
/// Every media message gets a full (fmt 0) header, so what a player is sent never depends on
/// chunk-stream state shared with <see cref="RtmpOutput"/>'s command writer; media uses chunk
/// streams 6-8, commands 2-5. The socket is non-blocking for synchronous calls (async calls are
/// unaffected), so a send takes what fits in the socket buffer and the rest goes out asynchronously.
/// </remarks>
public sealed class RtmpMediaPump : MediaPump
{
    /// <summary>Payloads up to this size are copied next to their header: one segment instead of two.</summary>
    private const int CopyBelow = 1024;

    private readonly Socket _socket;
    private readonly RtmpOutput _output;
    private readonly ClientStats _client;
    private readonly ServerStats _stats;
    private readonly Func<bool> _paused;
    private readonly TimestampRebaser _rebaser = new();
    private readonly List<ArraySegment<byte>> _segments = new(16);

    /// <summary>Enough for a steady-state batch (a video frame with its audio); larger ones rent from the pool.</summary>
    private readonly byte[] _ownScratch = new byte[1024];
    private byte[] _scratch;

    public RtmpMediaPump(PlayerQueue queue, RtmpOutput output, Socket socket, ClientStats client, ServerStats stats, Func<bool> paused)
        : base(queue, output.Gate)
    {
        _socket = socket;
        _output = output;
        _client = client;
        _stats = stats;
        _paused = paused;
        _scratch = _ownScratch;
        socket.Blocking = false;
    }

    protected override ValueTask WriteAsync(List<MediaPacket> batch)
    {
        if (_paused()) return ValueTask.CompletedTask;
        ReturnScratch();
        var total = Build(batch, _output.ChunkSize);
        var sent = _socket.Send(_segments, SocketFlags.None, out var error);
        if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
        if (error == SocketError.WouldBlock) sent = 0;
        Count(sent);
        if (sent == total)
        {
            ReturnScratch();
            return ValueTask.CompletedTask;
        }
        // The rest goes out asynchronously; the scratch stays in use until the next batch.
        return new ValueTask(SendRestAsync(Remainder(sent), total - sent));
    }

    /// <summary>Lays the batch out as segments over the scratch buffer and the shared payloads; returns the byte count.</summary>
    private int Build(List<MediaPacket> batch, int chunkSize)
    {
        EnsureScratch(batch, chunkSize);
        _segments.Clear();
        var scratch = _scratch.AsSpan();
        int pos = 0, runStart = 0, total = 0;
        foreach (var p in batch)
        {
            var csid = p.Kind switch { MediaKind.Video => ChunkStreams.Video, MediaKind.Audio => ChunkStreams.Audio, _ => ChunkStreams.Data };
            var ts = _rebaser.Rebase(p);
            var payload = p.Payload;
            pos += ChunkHeader.WriteFull(scratch[pos..], csid, (byte)p.Kind, ts, RtmpOutput.MediaStreamId, payload.Length);
            for (var offset = 0; ; )
            {
                var piece = payload.Slice(offset, Math.Min(chunkSize, payload.Length - offset));
                if (piece.Length < CopyBelow)
                {
                    piece.Span.CopyTo(scratch[pos..]);
                    pos += piece.Length;
                }
                else
                {
                    total += Cut(ref runStart, pos);
                    _segments.Add(ArrayOf(piece));
                    total += piece.Length;
                }
                offset += piece.Length;
                if (offset >= payload.Length) break;
                pos += ChunkHeader.WriteContinuation(scratch[pos..], csid, ts);
            }
        }
        total += Cut(ref runStart, pos);
        return total;
    }

    /// <summary>Ends the scratch run [runStart, pos) as a segment of its own.</summary>
    private int Cut(ref int runStart, int pos)
    {
        var n = pos - runStart;
        if (n > 0) _segments.Add(new ArraySegment<byte>(_scratch, runStart, n));
        runStart = pos;
        return n;
    }

    private void EnsureScratch(List<MediaPacket> batch, int chunkSize)
    {
        var need = 0;
        foreach (var p in batch)
        {
            var length = p.Payload.Length;
            var chunks = ChunkHeader.ChunkCount(length, chunkSize);
            need += ChunkHeader.MaxFullSize + (chunks - 1) * ChunkHeader.MaxContinuationSize;
            // Copied: the pieces shorter than CopyBelow (see Build).
            var last = length - (chunks - 1) * chunkSize;
            need += (chunkSize < CopyBelow ? (chunks - 1) * chunkSize : 0) + (last < CopyBelow ? last : 0);
        }
        if (need > _scratch.Length) _scratch = ArrayPool<byte>.Shared.Rent(need);
    }

    private void ReturnScratch()
    {
        if (_scratch == _ownScratch) return;
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = _ownScratch;
    }

    private static ArraySegment<byte> ArrayOf(ReadOnlyMemory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment) ? segment : new ArraySegment<byte>(memory.ToArray());

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
        _client.AddBytesOut(bytes);
        _stats.AddBytesOut(bytes);
    }
}
