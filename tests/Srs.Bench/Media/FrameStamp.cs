using System.Buffers.Binary;

namespace Srs.Bench.Media;

/// <summary>
/// A send-time stamp carried inside a video frame, so a player can tell how long the frame took
/// from the publisher's send to its own receive (both in this process: one monotonic clock).
/// </summary>
/// <remarks>
/// The stamp is an H.264 SEI NAL unit (type 6, user_data_unregistered, payloadType 5) placed
/// first in the AVCC payload, right after the 5-byte FLV AVC header:
/// <code>
///  5..8   NALU length (4 bytes, big endian) = 44
///  9      0x06  nal_unit_type 6 (SEI)
/// 10      0x05  payloadType 5 (user_data_unregistered)
/// 11      40    payloadSize: a 16-byte UUID then 24 bytes of data
/// 12..27  UUID "SrsBenchSendTime"
/// 28..43  send time, Stopwatch ticks, 16 nibbles (each byte 0x40 | nibble, most significant first)
/// 44..51  frame sequence number of the stream, 8 nibbles the same way
/// 52      0x80  rbsp_trailing_bits
/// </code>
/// Nibble bytes are never 0x00, so the payload can never contain an emulation-prevention
/// pattern (00 00 0x) and a decoder or server sees an ordinary SEI it may ignore.
/// </remarks>
public static class FrameStamp
{
    public const int AvcHeaderSize = 5;
    public const int NaluSize = 44;
    /// <summary>Bytes the stamp adds to a frame: its length field and its NAL unit.</summary>
    public const int Size = 4 + NaluSize;
    /// <summary>First byte of the frame a player needs to read a stamp.</summary>
    public const int EndOffset = AvcHeaderSize + Size;

    private const int UuidOffset = 12;
    private const int TimeOffset = 28;
    private const int SequenceOffset = 44;

    private static ReadOnlySpan<byte> Uuid => "SrsBenchSendTime"u8;

    /// <summary>Writes a stamp (time 0, sequence 0) at the start of an AVCC payload: <paramref name="nalus"/> is the frame from byte 5 on.</summary>
    public static void WriteTemplate(Span<byte> nalus)
    {
        BinaryPrimitives.WriteInt32BigEndian(nalus, NaluSize);
        nalus[4] = 0x06;
        nalus[5] = 0x05;
        nalus[6] = 40;
        Uuid.CopyTo(nalus[7..]);
        nalus.Slice(TimeOffset - AvcHeaderSize, 24).Fill(0x40);
        nalus[NaluSize + 4 - 1] = 0x80;
    }

    /// <summary>Sets the send time and sequence number in a frame that has a stamp (made by <see cref="WriteTemplate"/>).</summary>
    public static void Set(Span<byte> frame, long ticks, uint sequence)
    {
        WriteNibbles(frame.Slice(TimeOffset, 16), (ulong)ticks);
        WriteNibbles(frame.Slice(SequenceOffset, 8), sequence);
    }

    /// <summary>Reads the stamp from the first <see cref="EndOffset"/> bytes of a video frame; false when it has none.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out long ticks, out uint sequence)
    {
        ticks = 0;
        sequence = 0;
        if (frame.Length < EndOffset || frame[1] != 0x01 || frame[9] != 0x06 || frame[10] != 0x05
            || !frame.Slice(UuidOffset, 16).SequenceEqual(Uuid))
        {
            return false;
        }

        ticks = (long)ReadNibbles(frame.Slice(TimeOffset, 16));
        sequence = (uint)ReadNibbles(frame.Slice(SequenceOffset, 8));
        return true;
    }

    private static void WriteNibbles(Span<byte> into, ulong value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)(0x40 | (value & 0xF));
            value >>= 4;
        }
    }

    private static ulong ReadNibbles(ReadOnlySpan<byte> from)
    {
        ulong value = 0;
        foreach (var b in from) value = (value << 4) | (uint)(b & 0xF);
        return value;
    }
}
