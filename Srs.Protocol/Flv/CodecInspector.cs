namespace Srs.Protocol.Flv;

/// <summary>
/// Reads the first bytes of FLV/RTMP audio and video payloads: codec, keyframe, sequence header.
/// Understands legacy FLV (AVC codec id 7, HEVC id 12) and enhanced RTMP (ExHeader bit, FourCC).
/// </summary>
/// <remarks>Payloads come from publishers: every method is safe on short or empty spans and never throws.</remarks>
public static class CodecInspector
{
    private const int LegacyAvc = 7;
    private const int LegacyHevc = 12; // Not in Adobe's spec; used by Chinese CDNs and SRS.
    private const int LegacyPacketSequenceHeader = 0;
    private const int AvcSequenceHeaderRecordOffset = 5; // Frame byte, packet type, 3-byte composition time.

    private const int SoundFormatMp3 = 2;
    private const int SoundFormatAac = 10;
    private const int SoundFormatMp3Of8kHz = 14;
    private const int AacSequenceHeaderConfigOffset = 2;

    public static VideoCodec GetVideoCodec(ReadOnlySpan<byte> video)
    {
        if (video.IsEmpty) return VideoCodec.Unknown;
        if (!EnhancedRtmpHeader.IsVideoExHeader(video))
            return (video[0] & 0x0F) switch
            {
                LegacyAvc => VideoCodec.Avc,
                LegacyHevc => VideoCodec.Hevc,
                _ => VideoCodec.Unknown,
            };

        var header = EnhancedRtmpHeader.ParseVideo(video);
        if (!header.Valid || header.IsCommand) return VideoCodec.Unknown;
        var fourCC = header.FourCC;
        if (fourCC.SequenceEqual("avc1"u8)) return VideoCodec.Avc;
        if (fourCC.SequenceEqual("hvc1"u8)) return VideoCodec.Hevc;
        if (fourCC.SequenceEqual("av01"u8)) return VideoCodec.Av1;
        if (fourCC.SequenceEqual("vp09"u8)) return VideoCodec.Vp9;
        return VideoCodec.Unknown;
    }

    /// <summary>Frame type 1 (key frame) in either header form.</summary>
    public static bool IsVideoKeyframe(ReadOnlySpan<byte> video)
    {
        if (video.IsEmpty) return false;
        var frameType = EnhancedRtmpHeader.IsVideoExHeader(video) ? (video[0] >> 4) & 0x07 : video[0] >> 4;
        return frameType == EnhancedRtmpHeader.VideoFrameKey;
    }

    /// <summary>AVC/HEVC packet type 0, or enhanced RTMP SequenceStart (the track's, for multitrack).</summary>
    public static bool IsVideoSequenceHeader(ReadOnlySpan<byte> video)
    {
        if (video.IsEmpty) return false;
        if (EnhancedRtmpHeader.IsVideoExHeader(video))
        {
            var header = EnhancedRtmpHeader.ParseVideo(video);
            return header.Valid && !header.IsCommand && header.PacketType == EnhancedRtmpHeader.SequenceStart;
        }
        var codec = video[0] & 0x0F;
        return codec is LegacyAvc or LegacyHevc && video.Length >= 2 && video[1] == LegacyPacketSequenceHeader;
    }

    public static AudioCodec GetAudioCodec(ReadOnlySpan<byte> audio)
    {
        if (audio.IsEmpty) return AudioCodec.Unknown;
        if (!EnhancedRtmpHeader.IsAudioExHeader(audio))
            return (audio[0] >> 4) switch
            {
                SoundFormatAac => AudioCodec.Aac,
                SoundFormatMp3 or SoundFormatMp3Of8kHz => AudioCodec.Mp3,
                _ => AudioCodec.Other,
            };

        var header = EnhancedRtmpHeader.ParseAudio(audio);
        if (!header.Valid) return AudioCodec.Unknown;
        var fourCC = header.FourCC;
        if (fourCC.SequenceEqual("mp4a"u8)) return AudioCodec.Aac;
        if (fourCC.SequenceEqual("Opus"u8)) return AudioCodec.Opus;
        if (fourCC.SequenceEqual(".mp3"u8)) return AudioCodec.Mp3;
        return AudioCodec.Other;
    }

    /// <summary>AAC packet type 0, or enhanced RTMP SequenceStart (e.g. Opus's OpusHead).</summary>
    public static bool IsAudioSequenceHeader(ReadOnlySpan<byte> audio)
    {
        if (audio.IsEmpty) return false;
        if (EnhancedRtmpHeader.IsAudioExHeader(audio))
        {
            var header = EnhancedRtmpHeader.ParseAudio(audio);
            return header.Valid && header.PacketType == EnhancedRtmpHeader.SequenceStart;
        }
        return audio[0] >> 4 == SoundFormatAac && audio.Length >= 2 && audio[1] == 0;
    }

    /// <summary>Profile and level from an AVC sequence header (AVCDecoderConfigurationRecord), or null.</summary>
    public static (string Profile, string Level)? GetAvcProfileLevel(ReadOnlySpan<byte> video)
    {
        if (video.IsEmpty) return null;
        if (EnhancedRtmpHeader.IsVideoExHeader(video))
        {
            var header = EnhancedRtmpHeader.ParseVideo(video);
            // Multitrack bodies start with per-track fields; not worth decoding for a log line.
            if (!header.Valid || header.IsCommand || header.IsMultitrack
                || header.PacketType != EnhancedRtmpHeader.SequenceStart || !header.FourCC.SequenceEqual("avc1"u8))
                return null;
            return AvcDecoderConfiguration.Read(video[header.BodyOffset..]);
        }
        if ((video[0] & 0x0F) != LegacyAvc || video.Length < AvcSequenceHeaderRecordOffset
            || video[1] != LegacyPacketSequenceHeader)
            return null;
        return AvcDecoderConfiguration.Read(video[AvcSequenceHeaderRecordOffset..]);
    }

    /// <summary>Sample rate (Hz) and channels from an AAC sequence header (AudioSpecificConfig), or null.</summary>
    public static (int SampleRate, int Channels, string Profile)? GetAacConfig(ReadOnlySpan<byte> audio)
    {
        if (audio.IsEmpty) return null;
        if (EnhancedRtmpHeader.IsAudioExHeader(audio))
        {
            var header = EnhancedRtmpHeader.ParseAudio(audio);
            if (!header.Valid || header.IsMultitrack || header.PacketType != EnhancedRtmpHeader.SequenceStart
                || !header.FourCC.SequenceEqual("mp4a"u8))
                return null;
            return AacAudioSpecificConfig.Read(audio[header.BodyOffset..]);
        }
        if (audio[0] >> 4 != SoundFormatAac || audio.Length < AacSequenceHeaderConfigOffset || audio[1] != 0)
            return null;
        return AacAudioSpecificConfig.Read(audio[AacSequenceHeaderConfigOffset..]);
    }
}
