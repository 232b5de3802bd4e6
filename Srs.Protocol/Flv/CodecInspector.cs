namespace Srs.Protocol.Flv;

/// <summary>
/// Reads the first bytes of FLV/RTMP audio and video payloads: codec, keyframe, sequence header.
/// Understands legacy FLV (AVC codec id 7, HEVC id 12) and enhanced RTMP (ExHeader bit, FourCC).
/// </summary>
public static class CodecInspector
{
    public static VideoCodec GetVideoCodec(ReadOnlySpan<byte> video) => throw new NotImplementedException();
    public static bool IsVideoKeyframe(ReadOnlySpan<byte> video) => throw new NotImplementedException();
    public static bool IsVideoSequenceHeader(ReadOnlySpan<byte> video) => throw new NotImplementedException();
    public static AudioCodec GetAudioCodec(ReadOnlySpan<byte> audio) => throw new NotImplementedException();
    public static bool IsAudioSequenceHeader(ReadOnlySpan<byte> audio) => throw new NotImplementedException();

    /// <summary>Profile and level from an AVC sequence header (AVCDecoderConfigurationRecord), or null.</summary>
    public static (string Profile, string Level)? GetAvcProfileLevel(ReadOnlySpan<byte> video) => throw new NotImplementedException();

    /// <summary>Sample rate (Hz) and channels from an AAC sequence header (AudioSpecificConfig), or null.</summary>
    public static (int SampleRate, int Channels, string Profile)? GetAacConfig(ReadOnlySpan<byte> audio) => throw new NotImplementedException();
}
