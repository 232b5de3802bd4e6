namespace Srs.Protocol.Flv;

/// <summary>
/// The enhanced RTMP (veovera enhanced-rtmp v1/v2) header of a video or audio payload:
/// packet type (after any ModEx prefixes and the Multitrack wrapper), FourCC and where the body starts.
/// </summary>
/// <remarks>
/// Parsing never throws: a header cut short yields <see cref="Valid"/> = false. For multitrack
/// payloads the FourCC is the shared one or, with many codecs, the first track's; both sit right
/// after the multitrack byte.
/// </remarks>
internal readonly ref struct EnhancedRtmpHeader
{
    public const int SequenceStart = 0;
    public const int CodedFrames = 1;
    public const int SequenceEnd = 2;
    public const int VideoCodedFramesX = 3;
    public const int VideoMetadata = 4;
    public const int VideoMpeg2TsSequenceStart = 5;
    public const int VideoMultitrack = 6;
    public const int AudioMultichannelConfig = 4;
    public const int AudioMultitrack = 5;
    public const int ModEx = 7;

    public const int VideoFrameKey = 1;
    public const int VideoFrameCommand = 5;

    /// <summary>The ExAudioHeader sound format in the first audio byte's upper nibble (enhanced RTMP v2).</summary>
    public const int AudioExHeaderFormat = 9;

    public bool Valid { get; private init; }
    public int FrameType { get; private init; }
    public int PacketType { get; private init; }
    public bool IsMultitrack { get; private init; }

    /// <summary>A video command frame: no FourCC and no media body.</summary>
    public bool IsCommand { get; private init; }

    public ReadOnlySpan<byte> FourCC { get; private init; }

    /// <summary>Offset of what follows the FourCC (the track body for multitrack payloads).</summary>
    public int BodyOffset { get; private init; }

    public static bool IsVideoExHeader(ReadOnlySpan<byte> video) => video.Length > 0 && (video[0] & 0x80) != 0;

    public static bool IsAudioExHeader(ReadOnlySpan<byte> audio) => audio.Length > 0 && audio[0] >> 4 == AudioExHeaderFormat;

    public static EnhancedRtmpHeader ParseVideo(ReadOnlySpan<byte> video) =>
        IsVideoExHeader(video) ? Parse(video, (video[0] >> 4) & 0x07, VideoMultitrack, isVideo: true) : default;

    public static EnhancedRtmpHeader ParseAudio(ReadOnlySpan<byte> audio) =>
        IsAudioExHeader(audio) ? Parse(audio, 0, AudioMultitrack, isVideo: false) : default;

    private static EnhancedRtmpHeader Parse(ReadOnlySpan<byte> data, int frameType, int multitrackType, bool isVideo)
    {
        var packetType = data[0] & 0x0F;
        var pos = 1;

        // Each ModEx prefix: size-1 (UI8, or UI16 when the UI8 is 255), data, then modExType|packetType.
        // Every round consumes at least 2 bytes, so the loop ends on any input.
        while (packetType == ModEx)
        {
            if (pos >= data.Length) return default;
            var size = data[pos++] + 1;
            if (size == 256)
            {
                if (pos + 2 > data.Length) return default;
                size = (data[pos] << 8 | data[pos + 1]) + 1;
                pos += 2;
            }
            pos += size;
            if (pos >= data.Length) return default;
            packetType = data[pos++] & 0x0F;
        }

        if (isVideo && frameType == VideoFrameCommand && packetType != VideoMetadata)
            return new EnhancedRtmpHeader { Valid = true, FrameType = frameType, PacketType = packetType, IsCommand = true, BodyOffset = pos };

        var multitrack = packetType == multitrackType;
        if (multitrack)
        {
            if (pos >= data.Length) return default;
            packetType = data[pos++] & 0x0F;
        }

        if (pos + 4 > data.Length) return default;
        return new EnhancedRtmpHeader
        {
            Valid = true,
            FrameType = frameType,
            PacketType = packetType,
            IsMultitrack = multitrack,
            FourCC = data.Slice(pos, 4),
            BodyOffset = pos + 4,
        };
    }
}
