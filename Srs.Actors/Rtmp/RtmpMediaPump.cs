using System.Net.Sockets;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Actors.Rtmp;

/// <summary>An RTMP player's media path: each batch as chunks, in one gathered send (see <see cref="SocketMediaPump"/>).</summary>
/// <remarks>
/// Every media message gets a full (fmt 0) header, so what a player is sent never depends on
/// chunk-stream state shared with <see cref="RtmpOutput"/>'s command writer; media uses chunk
/// streams 6-8, commands 2-5. The gate is the output's, so media and command chunks never interleave.
/// </remarks>
/// <param name="session">Closed when the pump stops (the queue ended, the connection failed).</param>
public sealed class RtmpMediaPump(PlayerQueue queue, RtmpOutput output, Socket socket, ClientStats client, ServerStats stats, RtmpServerSession? session = null)
    : SocketMediaPump(queue, output.Gate, socket, client, stats)
{
    private TimestampRebaser _rebaser; // a mutable struct: not readonly
    private volatile bool _paused;

    /// <summary>The player asked for a pause (NetStream.Pause): media is not sent meanwhile.</summary>
    public bool Paused { get => _paused; set => _paused = value; }

    protected override void OnStopped(string reason)
    {
        // Not on this thread: it may be a source's, in the middle of a merged write, holding the gate.
        if (session is not null)
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Session.Close(s.Reason), (Session: session, Reason: reason), preferLocal: false);
    }

    protected override int ScratchNeeded(ReadOnlySpan<MediaPacket> batch)
    {
        var chunkSize = output.ChunkSize;
        var need = 0;
        foreach (var p in batch)
        {
            var length = p.Payload.Length;
            var chunks = ChunkHeader.ChunkCount(length, chunkSize);
            need += ChunkHeader.MaxFullSize + (chunks - 1) * ChunkHeader.MaxContinuationSize;
            // Copied: the pieces shorter than CopyBelow (see Payload).
            var last = length - (chunks - 1) * chunkSize;
            need += (chunkSize < CopyBelow ? (chunks - 1) * chunkSize : 0) + (last < CopyBelow ? last : 0);
        }
        return need;
    }

    protected override void Layout(ReadOnlySpan<MediaPacket> batch)
    {
        if (_paused) return;
        var chunkSize = output.ChunkSize;
        foreach (var p in batch)
        {
            var csid = p.Kind switch { MediaKind.Video => ChunkStreams.Video, MediaKind.Audio => ChunkStreams.Audio, _ => ChunkStreams.Data };
            var ts = _rebaser.Rebase(p);
            var payload = p.Payload;
            Advance(ChunkHeader.WriteFull(Scratch, csid, (byte)p.Kind, ts, RtmpOutput.MediaStreamId, payload.Length));
            for (var offset = 0; ; )
            {
                var piece = payload.Slice(offset, Math.Min(chunkSize, payload.Length - offset));
                Payload(piece);
                offset += piece.Length;
                if (offset >= payload.Length) break;
                Advance(ChunkHeader.WriteContinuation(Scratch, csid, ts));
            }
        }
    }
}
