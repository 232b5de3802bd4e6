using System.Buffers;

namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>
/// Server side of the RTMP handshake: reads C0C1, answers S0S1S2, reads C2.
/// Answers the digest ("complex") handshake when C1 carries a valid digest, else the simple one.
/// </summary>
public sealed class HandshakeServer
{
    /// <summary>
    /// S1 version field when answering a digest C1. Its first byte being at least 3 is what makes
    /// ffmpeg (as a player) check our S1 digest and S2 signature rather than skip them.
    /// </summary>
    private static ReadOnlySpan<byte> ServerVersion => [0x03, 0x05, 0x01, 0x01];

    private bool _answered;

    public bool IsComplete { get; private set; }

    /// <summary>True when C1 carried a valid digest and the complex handshake was answered.</summary>
    public bool UsedDigest { get; private set; }

    /// <summary>
    /// Consumes what it can from <paramref name="input"/> (advancing it), writes S0S1S2 into
    /// <paramref name="output"/> once C0C1 is in, and returns true once C2 has been consumed.
    /// Bytes after C2 (the first chunks) stay in <paramref name="input"/>.
    /// Throws <see cref="RtmpProtocolException"/> for a bad C0 version.
    /// </summary>
    public bool TryAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        if (IsComplete)
            return true;

        if (!_answered)
        {
            // Check C0 as soon as it arrives, so a non-RTMP peer is turned away without waiting for C1.
            if (input.IsEmpty)
                return false;
            HandshakePacket.CheckVersion(input.FirstSpan[0], "C0");
            if (input.Length < HandshakePacket.C0C1Size)
                return false;

            Span<byte> c0c1 = stackalloc byte[HandshakePacket.C0C1Size];
            HandshakePacket.Take(ref input, c0c1);
            Answer(c0c1[1..], output);
            _answered = true;
        }

        if (input.Length < HandshakePacket.Size)
            return false;

        // C2 only echoes or signs our S1; like SRS we do not hold the peer to it.
        input = input.Slice(HandshakePacket.Size);
        IsComplete = true;
        return true;
    }

    private void Answer(ReadOnlySpan<byte> c1, IBufferWriter<byte> output)
    {
        var s0s1s2 = output.GetSpan(HandshakePacket.S0S1S2Size)[..HandshakePacket.S0S1S2Size];
        s0s1s2[0] = HandshakePacket.RtmpVersion;
        var s1 = s0s1s2.Slice(1, HandshakePacket.Size);
        var s2 = s0s1s2.Slice(1 + HandshakePacket.Size, HandshakePacket.Size);

        // Like SRS, look for a digest whatever the version field says; none found means simple.
        var c1Offset = HandshakeDigest.Find(c1, HandshakeKeys.Client, out var schema);

        if (c1Offset < 0)
        {
            // Simple handshake: S1 with a zero version field, S2 echoes C1.
            HandshakePacket.FillHeaderAndRandom(s1, [0, 0, 0, 0]);
            c1.CopyTo(s2);
        }
        else
        {
            // Digest handshake: sign S1 in the client's schema, and prove in S2 that we saw its digest.
            HandshakePacket.FillHeaderAndRandom(s1, ServerVersion);
            HandshakeDigest.Imprint(s1, schema, HandshakeKeys.Server);
            HandshakeDigest.WriteSignedResponse(s2, c1.Slice(c1Offset, HandshakeDigest.Size), HandshakeKeys.ServerFullKey);
            UsedDigest = true;
        }

        output.Advance(HandshakePacket.S0S1S2Size);
    }
}
