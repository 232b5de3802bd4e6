namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>
/// The well-known keys of the digest handshake. A C1/S1 digest is keyed with the text part only;
/// the S2/C2 signature key is derived from the full key (text + 32 fixed bytes).
/// </summary>
internal static class HandshakeKeys
{
    private static ReadOnlySpan<byte> Tail =>
    [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    private static readonly byte[] ServerFull = [.. "Genuine Adobe Flash Media Server 001"u8, .. Tail];

    private static readonly byte[] ClientFull = [.. "Genuine Adobe Flash Player 001"u8, .. Tail];

    /// <summary>"Genuine Adobe Flash Media Server 001" (36 bytes): keys the S1 digest.</summary>
    public static ReadOnlySpan<byte> Server => ServerFull.AsSpan(0, 36);

    /// <summary>All 68 bytes: derives the key that signs S2.</summary>
    public static ReadOnlySpan<byte> ServerFullKey => ServerFull;

    /// <summary>"Genuine Adobe Flash Player 001" (30 bytes): keys the C1 digest.</summary>
    public static ReadOnlySpan<byte> Client => ClientFull.AsSpan(0, 30);

    /// <summary>All 62 bytes: derives the key that signs C2.</summary>
    public static ReadOnlySpan<byte> ClientFullKey => ClientFull;
}
