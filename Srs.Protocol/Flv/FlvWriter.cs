using System.Buffers;

namespace Srs.Protocol.Flv;

/// <summary>FLV file header and tags (FLV specification v10, Annex E) for HTTP-FLV.</summary>
public static class FlvWriter
{
    /// <summary>The 9-byte header plus PreviousTagSize0.</summary>
    public const int HeaderSize = 13;

    public static void WriteHeader(IBufferWriter<byte> output, bool hasAudio, bool hasVideo) => throw new NotImplementedException();

    /// <summary>Tag header (11 bytes), data, then the 4-byte PreviousTagSize.</summary>
    public static void WriteTag(IBufferWriter<byte> output, byte tagType, uint timestamp, ReadOnlySpan<byte> data) => throw new NotImplementedException();
}
