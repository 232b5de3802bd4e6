using System.Buffers;
using System.Buffers.Binary;

using Srs.Protocol.Flv;

namespace Srs.Protocol.Tests.Flv;

/// <summary>Parses an FLV stream (header, then tags), for the tests to check what <see cref="FlvWriter"/> writes.</summary>
/// <remarks>
/// Malformed FLV throws <see cref="InvalidDataException"/>, not RtmpProtocolException: FLV is a
/// file/HTTP format, not the RTMP wire protocol. Because its job is checking our own output, it is
/// strict: a PreviousTagSize that does not match the tag is an error too.
/// </remarks>
public sealed class FlvReader
{
    // DataOffset is 9 in every FLV version; allow a little room for future headers but no more.
    private const uint MaxDataOffset = 1024;

    public bool HeaderRead { get; private set; }
    public bool HasAudio { get; private set; }
    public bool HasVideo { get; private set; }

    /// <summary>Consumes the header first, then one tag per call; false when more bytes are needed. Throws on a bad signature.</summary>
    /// <remarks>
    /// <paramref name="input"/> is advanced past exactly what was consumed (the header may be
    /// consumed even when the call then returns false). The tag's data is copied, so the
    /// caller may release the input buffer.
    /// </remarks>
    public bool TryReadTag(ref ReadOnlySequence<byte> input, out FlvTag? tag)
    {
        tag = null;
        if (!HeaderRead && !TryReadHeader(ref input)) return false;

        Span<byte> header = stackalloc byte[FlvWriter.TagHeaderSize];
        if (input.Length < header.Length) return false;
        input.Slice(0, header.Length).CopyTo(header);

        var dataSize = ReadUInt24(header[1..]);
        var total = FlvWriter.TagHeaderSize + dataSize + FlvWriter.PreviousTagSizeLength;
        if (input.Length < total) return false;

        var timestamp = (uint)ReadUInt24(header[4..]) | (uint)header[7] << 24;
        var data = input.Slice(FlvWriter.TagHeaderSize, dataSize).ToArray();

        Span<byte> previous = stackalloc byte[FlvWriter.PreviousTagSizeLength];
        input.Slice(FlvWriter.TagHeaderSize + dataSize, previous.Length).CopyTo(previous);
        var previousTagSize = BinaryPrimitives.ReadUInt32BigEndian(previous);
        if (previousTagSize != (uint)(FlvWriter.TagHeaderSize + dataSize))
            throw new InvalidDataException($"FLV: PreviousTagSize {previousTagSize} does not match tag size {FlvWriter.TagHeaderSize + dataSize}");

        input = input.Slice(total);
        tag = new FlvTag(header[0], timestamp, data);
        return true;
    }

    private bool TryReadHeader(ref ReadOnlySequence<byte> input)
    {
        Span<byte> header = stackalloc byte[9];
        if (input.Length < header.Length) return false;
        input.Slice(0, header.Length).CopyTo(header);

        if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V')
            throw new InvalidDataException("FLV: bad signature");
        var dataOffset = BinaryPrimitives.ReadUInt32BigEndian(header[5..]);
        if (dataOffset < 9 || dataOffset > MaxDataOffset)
            throw new InvalidDataException($"FLV: bad header size {dataOffset}");
        // The header, any extra header bytes, then PreviousTagSize0.
        var total = dataOffset + FlvWriter.PreviousTagSizeLength;
        if (input.Length < total) return false;

        HasAudio = (header[4] & 0x04) != 0;
        HasVideo = (header[4] & 0x01) != 0;
        HeaderRead = true;
        input = input.Slice(total);
        return true;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> span) => span[0] << 16 | span[1] << 8 | span[2];
}
