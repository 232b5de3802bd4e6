namespace Srs.Protocol.Flv;

public sealed record FlvTag(byte TagType, uint Timestamp, ReadOnlyMemory<byte> Data);
