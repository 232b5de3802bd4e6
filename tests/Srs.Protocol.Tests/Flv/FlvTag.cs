namespace Srs.Protocol.Tests.Flv;

/// <summary>One FLV tag as <see cref="FlvReader"/> parses it.</summary>

public sealed record FlvTag(byte TagType, uint Timestamp, ReadOnlyMemory<byte> Data);
