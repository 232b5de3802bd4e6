using System.Buffers;
using System.Buffers.Binary;

namespace Srs.Protocol.Flv;

/// <summary>FLV file header and tags (FLV specification v10, Annex E) for HTTP-FLV.</summary>
/// <remarks>Writes straight into the output's span: no allocation per tag on the hot player path.</remarks>
public static class FlvWriter
{
    /// <summary>The 9-byte header plus PreviousTagSize0.</summary>
    public const int HeaderSize = 13;

    /// <summary>Tag header size: type, data size, timestamp, extended timestamp, stream id.</summary>
    public const int TagHeaderSize = 11;

    /// <summary>The PreviousTagSize field after every tag.</summary>
    public const int PreviousTagSizeLength = 4;

    /// <summary>The data size field is 24 bits.</summary>
    public const int MaxTagDataSize = 0xFFFFFF;

    public static void WriteHeader(IBufferWriter<byte> output, bool hasAudio, bool hasVideo)
    {
        var span = output.GetSpan(HeaderSize);
        span[0] = (byte)'F';
        span[1] = (byte)'L';
        span[2] = (byte)'V';
        span[3] = 1; // Version.
        span[4] = (byte)((hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0));
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], 9); // DataOffset: size of this header.
        BinaryPrimitives.WriteUInt32BigEndian(span[9..], 0); // PreviousTagSize0.
        output.Advance(HeaderSize);
    }

    /// <summary>Tag header (11 bytes), data, then the 4-byte PreviousTagSize.</summary>
    /// <remarks>The timestamp's upper byte goes in the extended field, so 32-bit timestamps survive.</remarks>
    public static void WriteTag(IBufferWriter<byte> output, byte tagType, uint timestamp, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxTagDataSize)
            throw new ArgumentException($"FLV tag data is limited to {MaxTagDataSize} bytes", nameof(data));

        var total = TagHeaderSize + data.Length + PreviousTagSizeLength;
        var span = output.GetSpan(total);
        WriteTagHeader(span, tagType, timestamp, data.Length);
        data.CopyTo(span[TagHeaderSize..]);
        WritePreviousTagSize(span[(TagHeaderSize + data.Length)..], data.Length);
        output.Advance(total);
    }

    /// <summary>The 11-byte tag header alone, for tags whose data is sent from where it already is.</summary>
    public static void WriteTagHeader(Span<byte> span, byte tagType, uint timestamp, int dataSize)
    {
        if ((uint)dataSize > MaxTagDataSize)
            throw new ArgumentException($"FLV tag data is limited to {MaxTagDataSize} bytes", nameof(dataSize));
        span[0] = tagType;
        WriteUInt24(span[1..], (uint)dataSize);
        WriteUInt24(span[4..], timestamp & 0xFFFFFF);
        span[7] = (byte)(timestamp >> 24);
        WriteUInt24(span[8..], 0); // StreamID: always 0.
    }

    /// <summary>The PreviousTagSize that follows a tag of <paramref name="dataSize"/> bytes of data.</summary>
    public static void WritePreviousTagSize(Span<byte> span, int dataSize) =>
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(TagHeaderSize + dataSize));

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }
}
