using Srs.Protocol.Flv;
using Srs.Protocol.Rtmp;

namespace Srs.Actors.Media;

public enum MediaKind : byte { Audio = RtmpMessageType.Audio, Video = RtmpMessageType.Video, Script = RtmpMessageType.DataAmf0 }

/// <summary>
/// One media message of a stream, parsed once by the publisher's connection and shared,
/// unchanged, by the source's caches and every player's queue.
/// </summary>
/// <param name="Epoch">Which publish session produced it; players rebase timestamps when it changes.</param>
public sealed class MediaPacket(MediaKind kind, uint timestamp, ReadOnlyMemory<byte> payload, int epoch)
{
    public MediaKind Kind { get; } = kind;
    public uint Timestamp { get; } = timestamp;
    public ReadOnlyMemory<byte> Payload { get; } = payload;
    public int Epoch { get; } = epoch;

    public bool IsVideo => Kind == MediaKind.Video;
    public bool IsAudio => Kind == MediaKind.Audio;
    public bool IsKeyframe { get; } = kind == MediaKind.Video && CodecInspector.IsVideoKeyframe(payload.Span);

    /// <summary>Sequence headers and metadata: a player that drops to the next keyframe still needs them.</summary>
    public bool IsHeader { get; } = kind switch
    {
        MediaKind.Video => CodecInspector.IsVideoSequenceHeader(payload.Span),
        MediaKind.Audio => CodecInspector.IsAudioSequenceHeader(payload.Span),
        _ => true,
    };
}
