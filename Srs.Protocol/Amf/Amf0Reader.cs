namespace Srs.Protocol.Amf;

/// <summary>
/// Decodes AMF0 values from a span. Malformed input (truncation, unknown marker, nesting deeper
/// than 32, references) throws <see cref="Rtmp.RtmpProtocolException"/>.
/// </summary>
public ref struct Amf0Reader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }
    public readonly bool End => Position >= _data.Length;

    /// <summary>Reads one value: double, bool, string, null, Amf0Undefined, Amf0Object, object?[] or DateTime.</summary>
    public object? ReadValue() => throw new NotImplementedException();
}
