using System.IO.Pipelines;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Actors.Rtmp;

/// <summary>
/// Command replies and protocol control on one RTMP connection. Its gate is shared with the
/// player's <see cref="RtmpMediaPump"/>, which sends media straight to the socket, so the two
/// never interleave their chunks; releasing the gate lets a media flush that waited run.
/// </summary>
public sealed class RtmpOutput(PipeWriter pipe, ClientStats client, ServerStats stats)
{
    /// <summary>The message stream id given by createStream: media and stream commands use it.</summary>
    public const uint MediaStreamId = 1;

    private readonly WriteGate _gate = new();
    private readonly ChunkWriter _chunks = new();
    private int _chunkSize = ChunkHeader.DefaultChunkSize; // the writer's, kept here: read for every merged write

    /// <summary>Held by whoever writes on the connection: a command here, or the media pump.</summary>
    internal WriteGate Gate => _gate;

    /// <summary>The chunk size this side sends with (set by the connect preamble).</summary>
    public int ChunkSize => Volatile.Read(ref _chunkSize);

    /// <summary>The player's media pump, once playing: it runs a flush that waited for a command.</summary>
    public MediaPump? Pump { get; set; }

    public async ValueTask SendCommandAsync(byte[] payload, uint streamId, CancellationToken ct, int chunkStreamId = ChunkStreams.OverConnection)
    {
        await _gate.EnterAsync(ct).ConfigureAwait(false);
        try
        {
            _chunks.Write(pipe, chunkStreamId, RtmpMessageType.CommandAmf0, 0, streamId, payload);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { Release(); }
    }

    public async ValueTask SendDataAsync(byte[] payload, uint streamId, CancellationToken ct)
    {
        await _gate.EnterAsync(ct).ConfigureAwait(false);
        try
        {
            _chunks.Write(pipe, ChunkStreams.OverStream, RtmpMessageType.DataAmf0, 0, streamId, payload);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { Release(); }
    }

    /// <summary>The server's half of connect: window, bandwidth and its chunk size, before the _result.</summary>
    public async ValueTask SendConnectPreambleAsync(uint window, int chunkSize, CancellationToken ct)
    {
        await _gate.EnterAsync(ct).ConfigureAwait(false);
        try
        {
            ProtocolControl.WriteWindowAckSize(_chunks, pipe, window);
            ProtocolControl.WriteSetPeerBandwidth(_chunks, pipe, window, 2);
            _chunks.SetChunkSize(pipe, chunkSize);
            Volatile.Write(ref _chunkSize, chunkSize);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { Release(); }
    }

    public async ValueTask SendUserControlAsync(UserControlEvent ev, CancellationToken ct)
    {
        await _gate.EnterAsync(ct).ConfigureAwait(false);
        try
        {
            ProtocolControl.WriteUserControl(_chunks, pipe, ev);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { Release(); }
    }

    public async ValueTask SendAcknowledgementAsync(uint sequenceNumber, CancellationToken ct)
    {
        await _gate.EnterAsync(ct).ConfigureAwait(false);
        try
        {
            ProtocolControl.WriteAcknowledgement(_chunks, pipe, sequenceNumber);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally { Release(); }
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        var n = pipe.UnflushedBytes;
        var result = await pipe.FlushAsync(ct).ConfigureAwait(false);
        if (result.IsCanceled) throw new OperationCanceledException(ct);
        client.AddBytesOut(n);
        stats.AddBytesOut(n);
    }

    private void Release()
    {
        _gate.Release();
        Pump?.TryRun();
    }
}
