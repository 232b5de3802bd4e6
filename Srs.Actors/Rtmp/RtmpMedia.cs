using Srs.Actors.Media;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Actors.Rtmp;

/// <summary>Turns received RTMP media messages into the <see cref="MediaPacket"/>s a source takes.</summary>
public static class RtmpMedia
{
    /// <summary>
    /// Audio and video as they are; metadata (@setDataFrame or onMetaData, AMF0 or AMF3) as the
    /// onMetaData payload players get; an aggregate message split into its tags. Anything else,
    /// and empty payloads, yield nothing. Payloads are slices of the message, not copies.
    /// </summary>
    public static void ToPackets(RtmpMessage m, int epoch, List<MediaPacket> into)
    {
        switch (m.TypeId)
        {
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
                Add((MediaKind)m.TypeId, m.Timestamp, m.Payload, epoch, into);
                break;
            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
                var data = m.TypeId == RtmpMessageType.DataAmf3 ? m.Payload[Math.Min(1, m.Payload.Length)..] : m.Payload;
                if (DataMessages.TryGetMetaData(data, out var meta)) Add(MediaKind.Script, m.Timestamp, meta, epoch, into);
                break;
            case RtmpMessageType.Aggregate:
                SplitAggregate(m, epoch, into);
                break;
        }
    }

    /// <summary>An aggregate message is FLV tags back to back; their timestamps are relative to the first.</summary>
    private static void SplitAggregate(RtmpMessage m, int epoch, List<MediaPacket> into)
    {
        var span = m.Payload.Span;
        var offset = 0;
        long? baseTs = null;
        while (offset + 11 <= span.Length)
        {
            var type = span[offset];
            var size = (span[offset + 1] << 16) | (span[offset + 2] << 8) | span[offset + 3];
            var ts = (uint)((span[offset + 7] << 24) | (span[offset + 4] << 16) | (span[offset + 5] << 8) | span[offset + 6]);
            if (offset + 11 + size + 4 > span.Length) throw new RtmpProtocolException("aggregate message: tag overruns the message");
            baseTs ??= ts;
            var timestamp = (uint)Math.Max(0, m.Timestamp + (ts - baseTs.Value));
            var body = m.Payload.Slice(offset + 11, size);
            if (type is RtmpMessageType.Audio or RtmpMessageType.Video) Add((MediaKind)type, timestamp, body, epoch, into);
            else if (type == RtmpMessageType.DataAmf0 && DataMessages.TryGetMetaData(body, out var meta)) Add(MediaKind.Script, timestamp, meta, epoch, into);
            offset += 11 + size + 4;
        }
    }

    private static void Add(MediaKind kind, uint timestamp, ReadOnlyMemory<byte> payload, int epoch, List<MediaPacket> into)
    {
        if (!payload.IsEmpty) into.Add(new MediaPacket(kind, timestamp, payload, epoch));
    }
}
