using System.Buffers;
using System.Buffers.Binary;

namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>
/// Sizes and layout of the handshake packets: C0/S0 is the version byte, C1/S1/C2/S2 are
/// 1536 bytes each. C1 and S1 start with a 4-byte time and a 4-byte version field; a zero
/// version field is how a peer says "simple handshake, no digest".
/// </summary>
internal static class HandshakePacket
{
    /// <summary>Plain RTMP. 6 (RTMPE) and others are not supported.</summary>
    public const byte RtmpVersion = 3;

    /// <summary>Size of C1, C2, S1 and S2.</summary>
    public const int Size = 1536;

    public const int C0C1Size = 1 + Size;

    public const int S0S1S2Size = 1 + 2 * Size;

    /// <summary>Rejects anything but plain RTMP in C0/S0 before waiting for more bytes.</summary>
    public static void CheckVersion(byte version, string packetName)
    {
        if (version != RtmpVersion)
        {
            throw new RtmpProtocolException(
                $"RTMP handshake: {packetName} version {version} is not supported (only {RtmpVersion}, plain RTMP)");
        }
    }

    /// <summary>Fills a C1/S1: big-endian time, the 4 version bytes, then random bytes.</summary>
    public static void FillHeaderAndRandom(Span<byte> packet, ReadOnlySpan<byte> versionField)
    {
        // The time field is only an epoch for the peer's own bookkeeping; a millisecond tick is customary.
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)Environment.TickCount64);
        versionField.CopyTo(packet.Slice(4, 4));
        FillRandom(packet[8..]);
    }

    /// <summary>Random filler; it carries no secret, so a non-cryptographic source is enough.</summary>
    public static void FillRandom(Span<byte> span) => Random.Shared.NextBytes(span);

    /// <summary>Copies the first <paramref name="destination"/>.Length bytes and advances past them.</summary>
    public static void Take(ref ReadOnlySequence<byte> input, Span<byte> destination)
    {
        var slice = input.Slice(0, destination.Length);
        slice.CopyTo(destination);
        input = input.Slice(slice.End);
    }
}
