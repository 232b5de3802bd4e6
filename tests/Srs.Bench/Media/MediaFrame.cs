namespace Srs.Bench.Media;

/// <summary>One RTMP media message to send: type (8 audio, 9 video), timestamp in ms, FLV tag body.</summary>
/// <remarks>Payloads are shared by every publisher of the same <see cref="SyntheticStream"/> and never written.</remarks>
public readonly record struct MediaFrame(byte TypeId, uint Timestamp, ReadOnlyMemory<byte> Payload);
