using System.Buffers;

namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>Client side of the RTMP handshake: writes C0C1, reads S0S1S2, writes C2.</summary>
public sealed class HandshakeClient(bool useDigest = true)
{
    public bool IsComplete { get; private set; }

    /// <summary>Writes C0 and C1 (with a digest when the client was made with useDigest).</summary>
    public void WriteC0C1(IBufferWriter<byte> output) => throw new NotImplementedException();

    /// <summary>Consumes S0S1S2 when all of it is in, writes C2, and returns true (complete).</summary>
    public bool TryAdvance(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output)
        => throw new NotImplementedException();
}
