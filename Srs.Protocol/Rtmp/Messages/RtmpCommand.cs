using System.Buffers;
using Srs.Protocol.Amf;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>
/// An AMF0 command message (type 20): name, transaction id, command object, then arguments.
/// </summary>
/// <remarks>
/// The command object may be any AMF0 value (usually an object or null). A payload that stops
/// right after the transaction id is accepted with a null command object, as SRS does.
/// </remarks>
public sealed record RtmpCommand(string Name, double TransactionId, object? CommandObject, IReadOnlyList<object?> Arguments)
{
    /// <summary>Throws <see cref="RtmpProtocolException"/> when the name is not a string or the transaction id not a number.</summary>
    public static RtmpCommand Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new Amf0Reader(payload);
        if (reader.ReadValue() is not string name)
            throw new RtmpProtocolException("command: the name is not a string");
        if (reader.ReadValue() is not double transactionId)
            throw new RtmpProtocolException($"command {name}: the transaction id is not a number");
        var commandObject = reader.End ? null : reader.ReadValue();
        var arguments = new List<object?>();
        while (!reader.End) arguments.Add(reader.ReadValue());
        return new RtmpCommand(name, transactionId, commandObject, arguments);
    }

    /// <summary>The command object as an AMF0 object (connect's properties), or null.</summary>
    public Amf0Object? CommandProperties => CommandObject as Amf0Object;

    public void WriteTo(IBufferWriter<byte> output)
    {
        Amf0Writer.WriteString(output, Name);
        Amf0Writer.WriteNumber(output, TransactionId);
        Amf0Writer.WriteValue(output, CommandObject);
        foreach (var argument in Arguments) Amf0Writer.WriteValue(output, argument);
    }

    public byte[] ToPayload()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The argument at <paramref name="index"/> as a string, or null.</summary>
    public string? StringArgument(int index) => index < Arguments.Count ? Arguments[index] as string : null;

    /// <summary>The argument at <paramref name="index"/> as a number, or null.</summary>
    public double? NumberArgument(int index) => index < Arguments.Count && Arguments[index] is double d ? d : null;

    /// <summary>Records compare lists by reference; show the values instead, for logs and test failures.</summary>
    public override string ToString() =>
        $"{Name}({TransactionId}, {CommandObject ?? "null"}{string.Concat(Arguments.Select(a => ", " + (a ?? "null")))})";
}
