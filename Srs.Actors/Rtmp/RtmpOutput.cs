using System.IO.Pipelines;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Actors.Rtmp;

/// <summary>
/// Everything sent on one RTMP connection goes through here, so command replies (read loop) and
/// media (player writer loop) never interleave their chunks. Media is written in batches: all the
/// packets queued since the last send become one flush.
/// </summary>
public sealed class RtmpOutput(PipeWriter pipe, ClientStats client, ServerStats stats)
{
    /// <summary>The message stream id given by createStream: media and stream commands use it.</summary>
    public const uint MediaStreamId = 1;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ChunkWriter _chunks = new();

    public async ValueTask SendCommandAsync(byte[] payload, uint streamId, CancellationToken ct, int chunkStreamId = ChunkStreams.OverConnection)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _chunks.Write(pipe, chunkStreamId, RtmpMessageType.CommandAmf0, 0, streamId, payload);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    public async ValueTask SendDataAsync(byte[] payload, uint streamId, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _chunks.Write(pipe, ChunkStreams.OverStream, RtmpMessageType.DataAmf0, 0, streamId, payload);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    /// <summary>The server's half of connect: window, bandwidth and its chunk size, before the _result.</summary>
    public async ValueTask SendConnectPreambleAsync(uint window, int chunkSize, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ProtocolControl.WriteWindowAckSize(_chunks, pipe, window);
            ProtocolControl.WriteSetPeerBandwidth(_chunks, pipe, window, 2);
            _chunks.SetChunkSize(pipe, chunkSize);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    public async ValueTask SendUserControlAsync(UserControlEvent ev, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ProtocolControl.WriteUserControl(_chunks, pipe, ev);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    public async ValueTask SendAcknowledgementAsync(uint sequenceNumber, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ProtocolControl.WriteAcknowledgement(_chunks, pipe, sequenceNumber);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Writes a batch of media as one send; timestamps go through the player's rebaser.</summary>
    public async ValueTask SendMediaAsync(List<MediaPacket> batch, TimestampRebaser rebaser, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var p in batch)
            {
                var csid = p.Kind switch { MediaKind.Video => ChunkStreams.Video, MediaKind.Audio => ChunkStreams.Audio, _ => ChunkStreams.Data };
                _chunks.Write(pipe, csid, (byte)p.Kind, rebaser.Rebase(p), MediaStreamId, p.Payload.Span);
            }
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        var n = pipe.UnflushedBytes;
        var result = await pipe.FlushAsync(ct).ConfigureAwait(false);
        if (result.IsCanceled) throw new OperationCanceledException(ct);
        client.AddBytesOut(n);
        stats.AddBytesOut(n);
    }
}
