using Srs.Actors.Media;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Actors.Edge;

/// <summary>
/// An edge forward's media path: the local source's packets, republished on the origin through
/// the project's RTMP client (a publisher's messages, not a player's: metadata goes behind
/// "@setDataFrame"), which follows the origin's reconnect requests. The client connection has its
/// own write lock, so this pump's gate guards nothing else.
/// </summary>
internal sealed class ForwardPump(PlayerQueue queue, RtmpPublisher client, CancellationToken ct)
    : MediaPump(queue)
{
    private static readonly byte[] SetDataFrame = BuildSetDataFrame();
    private TimestampRebaser _rebaser; // a mutable struct: not readonly

    /// <summary>True once a batch has reached the origin.</summary>
    public bool Sent { get; private set; }

    private readonly List<MediaPacket> _sending = new();

    protected override ValueTask WriteAsync(ReadOnlySpan<MediaPacket> batch)
    {
        // Sent one message at a time, asynchronously: keep a copy of the caller's span.
        _sending.Clear();
        _sending.AddRange(batch);
        return new ValueTask(SendAllAsync());
    }

    private async Task SendAllAsync()
    {
        foreach (var p in _sending) await SendAsync(p, _rebaser.Rebase(p)).ConfigureAwait(false);
        Sent = true;
    }

    protected override string Describe(Exception e) => Upstream.Describe(e);

    private ValueTask SendAsync(MediaPacket p, uint timestamp) => p.Kind switch
    {
        MediaKind.Video => client.SendVideoAsync(timestamp, p.Payload, ct),
        MediaKind.Audio => client.SendAudioAsync(timestamp, p.Payload, ct),
        // Players get "onMetaData", {..}; a publisher sends it behind "@setDataFrame".
        _ => client.SendAsync(ChunkStreams.Data, RtmpMessageType.DataAmf0, timestamp, Concat(SetDataFrame, p.Payload.Span), ct),
    };

    private static byte[] Concat(byte[] a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result, 0);
        b.CopyTo(result.AsSpan(a.Length));
        return result;
    }

    private static byte[] BuildSetDataFrame()
    {
        var w = new System.Buffers.ArrayBufferWriter<byte>(16);
        Srs.Protocol.Amf.Amf0Writer.WriteString(w, Srs.Protocol.Rtmp.Messages.CommandNames.SetDataFrame);
        return w.WrittenSpan.ToArray();
    }
}
