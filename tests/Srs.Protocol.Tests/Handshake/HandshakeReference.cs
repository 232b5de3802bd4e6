using System.Security.Cryptography;
using System.Text;

namespace Srs.Protocol.Tests.Handshake;

/// <summary>
/// The digest handshake written out again, plainly and independently of the production code,
/// so tests check the implementation against the algorithm rather than against itself.
/// </summary>
internal static class HandshakeReference
{
    private static readonly byte[] KeyTail =
        Convert.FromHexString("F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE");

    public static readonly byte[] FpKey = Encoding.ASCII.GetBytes("Genuine Adobe Flash Player 001");
    public static readonly byte[] FmsKey = Encoding.ASCII.GetBytes("Genuine Adobe Flash Media Server 001");
    public static readonly byte[] FpFullKey = [.. FpKey, .. KeyTail];
    public static readonly byte[] FmsFullKey = [.. FmsKey, .. KeyTail];

    /// <summary>Schema 0 sums bytes 8..11, schema 1 bytes 772..775.</summary>
    public static int DigestOffset(byte[] packet, int schema)
    {
        var at = schema == 0 ? 8 : 772;
        return (packet[at] + packet[at + 1] + packet[at + 2] + packet[at + 3]) % 728 + at + 4;
    }

    public static byte[] Digest(byte[] packet, int offset, byte[] key) =>
        HMACSHA256.HashData(key, packet.Take(offset).Concat(packet.Skip(offset + 32)).ToArray());

    public static bool HasDigest(byte[] packet, int schema, byte[] key)
    {
        var offset = DigestOffset(packet, schema);
        return Digest(packet, offset, key).SequenceEqual(packet.Skip(offset).Take(32));
    }

    public static byte[] DigestAt(byte[] packet, int schema) => packet.Skip(DigestOffset(packet, schema)).Take(32).ToArray();

    /// <summary>S2/C2 signature: HMAC(HMAC(full key, peer digest), first 1504 bytes).</summary>
    public static bool IsSignedResponse(byte[] response, byte[] peerDigest, byte[] fullKey)
    {
        var key = HMACSHA256.HashData(fullKey, peerDigest);
        return HMACSHA256.HashData(key, response.Take(1504).ToArray()).SequenceEqual(response.Skip(1504));
    }

    /// <summary>A fixed, seed-derived 1536-byte packet with the given version field and no digest.</summary>
    public static byte[] Packet(int seed, byte[] versionField)
    {
        var packet = new byte[1536];
        for (var i = 0; i < packet.Length; i++)
            packet[i] = (byte)(seed * 131 + i * 7 + (i >> 8) * 13);
        packet[0] = packet[1] = packet[2] = packet[3] = 0;
        versionField.CopyTo(packet, 4);
        return packet;
    }

    /// <summary><see cref="Packet"/> with a valid digest imprinted in the given schema.</summary>
    public static byte[] DigestPacket(int seed, byte[] versionField, int schema, byte[] key)
    {
        var packet = Packet(seed, versionField);
        var offset = DigestOffset(packet, schema);
        Digest(packet, offset, key).CopyTo(packet, offset);
        return packet;
    }
}
