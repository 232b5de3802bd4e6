using System.Security.Cryptography;

namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>
/// HMAC-SHA256 digests of the "complex" handshake: the digest embedded in C1/S1, and the
/// signature that ends S2/C2 and proves the peer saw our digest.
/// </summary>
internal static class HandshakeDigest
{
    public const int Size = 32;

    /// <summary>Bytes of C1/S1 the digest covers: everything but the digest itself.</summary>
    private const int SignedLength = HandshakePacket.Size - Size;

    /// <summary>Each 764-byte block holds 4 offset bytes, then 728 possible digest starts.</summary>
    private const int OffsetModulus = 728;

    /// <summary>Offset of the digest within a C1/S1 for the given schema.</summary>
    public static int Offset(ReadOnlySpan<byte> packet, DigestSchema schema)
    {
        var offsetBytes = schema == DigestSchema.Schema0 ? 8 : 772;
        var sum = packet[offsetBytes] + packet[offsetBytes + 1] + packet[offsetBytes + 2] + packet[offsetBytes + 3];
        return sum % OffsetModulus + offsetBytes + 4;
    }

    /// <summary>HMAC over the packet with the 32 digest bytes at <paramref name="offset"/> left out.</summary>
    public static void Compute(ReadOnlySpan<byte> packet, int offset, ReadOnlySpan<byte> key, Span<byte> digest)
    {
        Span<byte> signed = stackalloc byte[SignedLength];
        packet[..offset].CopyTo(signed);
        packet[(offset + Size)..].CopyTo(signed[offset..]);
        HMACSHA256.HashData(key, signed, digest);
    }

    /// <summary>Writes the digest into a filled C1/S1 at the place the schema picks.</summary>
    public static void Imprint(Span<byte> packet, DigestSchema schema, ReadOnlySpan<byte> key)
    {
        var offset = Offset(packet, schema);
        Compute(packet, offset, key, packet.Slice(offset, Size));
    }

    /// <summary>
    /// Finds a valid digest in either schema. Returns the digest's offset, or -1 when there is
    /// none (a simple-handshake peer, or one using keys we do not know).
    /// </summary>
    public static int Find(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key, out DigestSchema schema)
    {
        Span<byte> expected = stackalloc byte[Size];
        foreach (var candidate in (ReadOnlySpan<DigestSchema>)[DigestSchema.Schema0, DigestSchema.Schema1])
        {
            var offset = Offset(packet, candidate);
            Compute(packet, offset, key, expected);
            if (expected.SequenceEqual(packet.Slice(offset, Size)))
            {
                schema = candidate;
                return offset;
            }
        }

        schema = default;
        return -1;
    }

    /// <summary>
    /// Fills S2/C2 with random bytes and ends it with HMAC(HMAC(fullKey, peerDigest), random):
    /// the answer to the peer's C1/S1 digest.
    /// </summary>
    public static void WriteSignedResponse(Span<byte> response, ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey)
    {
        HandshakePacket.FillRandom(response[..SignedLength]);
        Sign(response, peerDigest, fullKey, response[SignedLength..]);
    }

    private static void Sign(ReadOnlySpan<byte> response, ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey, Span<byte> signature)
    {
        Span<byte> key = stackalloc byte[Size];
        HMACSHA256.HashData(fullKey, peerDigest, key);
        HMACSHA256.HashData(key, response[..SignedLength], signature);
    }
}
