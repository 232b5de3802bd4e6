using System.Buffers;

namespace Srs.Protocol.Flv;

/// <summary>Reads an FLV stream (header, then tags); used by tests and tools to check HTTP-FLV output.</summary>
public sealed class FlvReader
{
    public bool HeaderRead { get; private set; }
    public bool HasAudio { get; private set; }
    public bool HasVideo { get; private set; }

    /// <summary>Consumes the header first, then one tag per call; false when more bytes are needed. Throws on a bad signature.</summary>
    public bool TryReadTag(ref ReadOnlySequence<byte> input, out FlvTag? tag) => throw new NotImplementedException();
}
