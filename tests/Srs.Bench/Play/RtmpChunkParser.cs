using System.Buffers.Binary;
using Srs.Protocol.Rtmp;

namespace Srs.Bench.Play;

/// <summary>Receives the messages a <see cref="RtmpChunkParser"/> finds.</summary>
public interface IRtmpMessageSink
{
    /// <param name="head">The message's captured bytes: all of a control or command message, the first
    /// <see cref="RtmpChunkParser.VideoHeadBytes"/> of a video message, nothing of audio and data.</param>
    void OnMessage(byte typeId, uint timestamp, int length, ReadOnlySpan<byte> head);
}

/// <summary>
/// A player-side RTMP chunk parser for a load tool: it follows the chunk streams (all four header
/// formats, extended timestamps, Set Chunk Size) without reassembling media. Payload bytes are
/// skipped in place; only control and command messages are kept whole, and the head of each video
/// message (enough for its FLV header and a <see cref="Media.FrameStamp"/>). Fed with whatever the
/// socket returned; no allocation per message or per read once each chunk stream has been seen.
/// </summary>
public sealed class RtmpChunkParser(IRtmpMessageSink sink)
{
    public const int VideoHeadBytes = 64;
    private const int MaxHeader = 18;
    private const uint ExtendedMarker = 0xFFFFFF;
    private const int MaxWholeMessage = 1 << 20;

    private sealed class ChunkStream
    {
        public uint Timestamp;
        public uint Delta;
        public int Length;
        public byte TypeId;
        public uint StreamId;
        public int Read;
        public bool Extended;
        public uint ExtendedValue;
        public byte[]? Head;
        public int HeadLimit;
    }

    private readonly ChunkStream?[] _low = new ChunkStream?[64];
    private Dictionary<int, ChunkStream>? _high;
    private readonly byte[] _stage = new byte[MaxHeader];
    private int _staged;
    private ChunkStream? _current;
    private int _chunkLeft;

    public int ChunkSize { get; private set; } = 128;

    /// <summary>Consumes all of <paramref name="data"/>; throws <see cref="RtmpProtocolException"/> on nonsense.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            if (_chunkLeft > 0)
            {
                var n = Math.Min(_chunkLeft, data.Length);
                var cs = _current!;
                if (cs.Read < cs.HeadLimit)
                {
                    var keep = Math.Min(n, cs.HeadLimit - cs.Read);
                    data[..keep].CopyTo(cs.Head.AsSpan(cs.Read));
                }
                cs.Read += n;
                _chunkLeft -= n;
                data = data[n..];
                if (_chunkLeft == 0 && cs.Read == cs.Length) Complete(cs);
                continue;
            }

            // A chunk header: up to 18 bytes, possibly split across reads.
            var before = _staged;
            var take = Math.Min(MaxHeader - before, data.Length);
            data[..take].CopyTo(_stage.AsSpan(before));
            var used = TryHeader(_stage.AsSpan(0, before + take));
            if (used == 0)
            {
                _staged = before + take;
                data = data[take..];
                continue;
            }
            _staged = 0;
            data = data[(used - before)..];
        }
    }

    /// <summary>Parses one chunk header; returns its size, or 0 (nothing changed) when more bytes are needed.</summary>
    private int TryHeader(ReadOnlySpan<byte> s)
    {
        if (s.Length < 1) return 0;
        var fmt = s[0] >> 6;
        var csid = s[0] & 0x3F;
        var pos = 1;
        if (csid == 0)
        {
            if (s.Length < 2) return 0;
            csid = 64 + s[1];
            pos = 2;
        }
        else if (csid == 1)
        {
            if (s.Length < 3) return 0;
            csid = 64 + s[1] + (s[2] << 8);
            pos = 3;
        }

        var size = fmt switch { 0 => 11, 1 => 7, 2 => 3, _ => 0 };
        if (s.Length < pos + size) return 0;
        var cs = Stream(csid, fmt);
        var starts = cs.Read == 0;
        if (!starts && fmt != 3) throw new RtmpProtocolException($"chunk stream {csid}: fmt {fmt} header in the middle of a message");

        uint field = 0;
        var length = cs.Length;
        var type = cs.TypeId;
        var streamId = cs.StreamId;
        if (fmt < 3)
        {
            field = (uint)((s[pos] << 16) | (s[pos + 1] << 8) | s[pos + 2]);
            if (fmt <= 1)
            {
                length = (s[pos + 3] << 16) | (s[pos + 4] << 8) | s[pos + 5];
                type = s[pos + 6];
            }
            if (fmt == 0) streamId = BinaryPrimitives.ReadUInt32LittleEndian(s[(pos + 7)..]);
        }
        pos += size;

        var extended = fmt < 3 ? field == ExtendedMarker : cs.Extended;
        if (extended)
        {
            if (s.Length < pos + 4) return 0;
            var value = BinaryPrimitives.ReadUInt32BigEndian(s[pos..]);
            // A sender that does not repeat the extended timestamp on continuation chunks: those 4 bytes are payload.
            if (fmt < 3 || starts || value == cs.ExtendedValue)
            {
                field = value;
                pos += 4;
            }
        }

        if (fmt < 3)
        {
            cs.Extended = extended;
            if (extended) cs.ExtendedValue = field;
        }

        if (starts)
        {
            switch (fmt)
            {
                case 0:
                    cs.Timestamp = field;
                    cs.Delta = field;
                    break;
                case 1:
                case 2:
                    cs.Delta = field;
                    cs.Timestamp += field;
                    break;
                default:
                    cs.Timestamp += cs.Delta;
                    break;
            }
            cs.Length = length;
            cs.TypeId = type;
            cs.StreamId = streamId;
            PrepareHead(cs);
        }

        _current = cs;
        _chunkLeft = Math.Min(ChunkSize, cs.Length - cs.Read);
        if (cs.Length == 0) Complete(cs);
        return pos;
    }

    private static void PrepareHead(ChunkStream cs)
    {
        switch (cs.TypeId)
        {
            case RtmpMessageType.Video:
                if (cs.Head is null || cs.Head.Length < VideoHeadBytes) cs.Head = new byte[VideoHeadBytes];
                cs.HeadLimit = Math.Min(cs.Length, VideoHeadBytes);
                break;
            case RtmpMessageType.Audio:
            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
            case RtmpMessageType.Aggregate:
                cs.HeadLimit = 0;
                break;
            default:
                if (cs.Length > MaxWholeMessage) throw new RtmpProtocolException($"a type {cs.TypeId} message of {cs.Length} bytes");
                if (cs.Head is null || cs.Head.Length < cs.Length) cs.Head = new byte[Math.Max(cs.Length, 256)];
                cs.HeadLimit = cs.Length;
                break;
        }
    }

    private void Complete(ChunkStream cs)
    {
        cs.Read = 0;
        var head = cs.HeadLimit == 0 ? ReadOnlySpan<byte>.Empty : cs.Head.AsSpan(0, cs.HeadLimit);
        if (cs.TypeId == RtmpMessageType.SetChunkSize && head.Length >= 4)
        {
            var size = (int)(BinaryPrimitives.ReadUInt32BigEndian(head) & 0x7FFFFFFF);
            if (size < 1) throw new RtmpProtocolException("Set Chunk Size 0");
            ChunkSize = size;
        }
        sink.OnMessage(cs.TypeId, cs.Timestamp, cs.Length, head);
    }

    private ChunkStream Stream(int csid, int fmt)
    {
        ChunkStream? cs;
        if (csid < 64)
        {
            cs = _low[csid];
            if (cs is null) _low[csid] = cs = New(csid, fmt);
            return cs;
        }
        _high ??= new Dictionary<int, ChunkStream>();
        if (!_high.TryGetValue(csid, out cs))
        {
            if (_high.Count >= 64) throw new RtmpProtocolException("too many chunk streams");
            _high[csid] = cs = New(csid, fmt);
        }
        return cs;
    }

    private static ChunkStream New(int csid, int fmt) =>
        fmt >= 2 ? throw new RtmpProtocolException($"chunk stream {csid} starts with a fmt {fmt} header") : new ChunkStream();
}
