using System.Buffers;

namespace Srs.Protocol.Amf;

/// <summary>Encodes AMF0 values (see <see cref="Amf0Object"/> for the value types); strings over 65535 bytes become long strings.</summary>
public static class Amf0Writer
{
    public static void WriteValue(IBufferWriter<byte> output, object? value) => throw new NotImplementedException();
}
