using System.Buffers;

namespace Srs.Protocol.Rtmp.Handshake;

/// <summary>
/// Server side of the RTMP handshake: reads C0C1, answers S0S1S2, reads C2.
/// Answers the digest ("complex") handshake when C1 carries a valid digest, else the simple one.
/// </summary>
public sealed class HandshakeServer
{
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
        => throw new NotImplementedException();
}
