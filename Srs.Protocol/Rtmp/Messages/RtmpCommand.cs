using System.Buffers;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>
/// An AMF0 command message (type 20): name, transaction id, command object, then arguments.
/// </summary>
public sealed record RtmpCommand(string Name, double TransactionId, object? CommandObject, IReadOnlyList<object?> Arguments)
{
    /// <summary>Throws <see cref="RtmpProtocolException"/> when the name is not a string or the transaction id not a number.</summary>
    public static RtmpCommand Parse(ReadOnlySpan<byte> payload) => throw new NotImplementedException();

    public void WriteTo(IBufferWriter<byte> output) => throw new NotImplementedException();

    public byte[] ToPayload() => throw new NotImplementedException();

    /// <summary>The argument at <paramref name="index"/> as a string, or null.</summary>
    public string? StringArgument(int index) => index < Arguments.Count ? Arguments[index] as string : null;
}
