using System.Buffers;

namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>Client side of the RTMP handshake: writes C0C1, reads S0S1S2, writes C2.</summary>
public sealed class HandshakeClient(bool useDigest = true)
{
    /// <summary>Non-zero C1 version field (ffmpeg's 128.0.7.2), which tells servers a digest is present.</summary>
    private static ReadOnlySpan<byte> ClientVersion => [0x80, 0x00, 0x07, 0x02];

    /// <summary>Where our C1 digest goes: digest block first, as ffmpeg does.</summary>
    private const DigestSchema Schema = DigestSchema.Schema0;

    private bool _sentC0C1;

    public bool IsComplete { get; private set; }

    /// <summary>Writes C0 and C1 (with a digest when the client was made with useDigest).</summary>
    public void WriteC0C1(IBufferWriter<byte> output)
    {
        if (_sentC0C1)
            throw new InvalidOperationException("C0C1 was already written.");

        var c0c1 = output.GetSpan(HandshakePacket.C0C1Size)[..HandshakePacket.C0C1Size];
        c0c1[0] = HandshakePacket.RtmpVersion;
        var c1 = c0c1[1..];
        if (useDigest)
        {
            HandshakePacket.FillHeaderAndRandom(c1, ClientVersion);
            HandshakeDigest.Imprint(c1, Schema, HandshakeKeys.Client);
        }
        else
        {
            HandshakePacket.FillHeaderAndRandom(c1, [0, 0, 0, 0]);
        }

        output.Advance(HandshakePacket.C0C1Size);
        _sentC0C1 = true;
    }

    /// <summary>Consumes S0S1S2 when all of it is in, writes C2, and returns true (complete).</summary>
    public bool TryAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        if (IsComplete)
            return true;
        if (!_sentC0C1)
            throw new InvalidOperationException("Write C0C1 before reading the server's answer.");

        if (input.IsEmpty)
            return false;
        HandshakePacket.CheckVersion(input.FirstSpan[0], "S0");
        if (input.Length < HandshakePacket.S0S1S2Size)
            return false;

        Span<byte> s0s1 = stackalloc byte[1 + HandshakePacket.Size];
        HandshakePacket.Take(ref input, s0s1);
        // S2 answers our C1; servers differ in how faithfully, so (like SRS) it is not checked.
        input = input.Slice(HandshakePacket.Size);

        WriteC2(s0s1[1..], output);
        IsComplete = true;
        return true;
    }

    private void WriteC2(ReadOnlySpan<byte> s1, IBufferWriter<byte> output)
    {
        var c2 = output.GetSpan(HandshakePacket.Size)[..HandshakePacket.Size];

        // A server that answered simple (or with a digest we can't validate) gets S1 echoed.
        var s1Offset = useDigest ? HandshakeDigest.Find(s1, HandshakeKeys.Server, out _) : -1;
        if (s1Offset < 0)
            s1.CopyTo(c2);
        else
            HandshakeDigest.WriteSignedResponse(c2, s1.Slice(s1Offset, HandshakeDigest.Size), HandshakeKeys.ClientFullKey);

        output.Advance(HandshakePacket.Size);
    }
}
