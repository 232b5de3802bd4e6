using Srs.Protocol.Flv;

namespace Srs.Protocol.Tests;

public class CodecInspectorTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>An AVC sequence header as x264 (High, level 3.1, 1280x720) publishes it via ffmpeg.</summary>
    private static readonly byte[] AvcSequenceHeader = Hex(
        "17 00 00 00 00" + // keyframe|AVC, sequence header, composition time 0
        "01 64 00 1F FF E1" + // version 1, High (100), compat 0, level 31, NAL length 4, 1 SPS
        "00 1A 67 64 00 1F AC D9 40 50 05 BB 01 10 00 00 03 00 10 00 00 03 03 C0 F1 83 19 60" + // SPS
        "01 00 06 68 EB E3 CB 22 C0"); // 1 PPS

    [Fact]
    public void LegacyAvcSequenceHeader()
    {
        Assert.Equal(VideoCodec.Avc, CodecInspector.GetVideoCodec(AvcSequenceHeader));
        Assert.True(CodecInspector.IsVideoKeyframe(AvcSequenceHeader));
        Assert.True(CodecInspector.IsVideoSequenceHeader(AvcSequenceHeader));
        Assert.Equal(("High", "3.1"), CodecInspector.GetAvcProfileLevel(AvcSequenceHeader));
    }

    [Fact]
    public void LegacyAvcFrames()
    {
        var keyNalu = Hex("17 01 00 00 00 00 00 00 05 65 88 84 00 10");
        var interNalu = Hex("27 01 00 00 21 00 00 00 05 41 9A 21 6C 42");
        Assert.True(CodecInspector.IsVideoKeyframe(keyNalu));
        Assert.False(CodecInspector.IsVideoSequenceHeader(keyNalu));
        Assert.Null(CodecInspector.GetAvcProfileLevel(keyNalu));
        Assert.False(CodecInspector.IsVideoKeyframe(interNalu));
        Assert.False(CodecInspector.IsVideoSequenceHeader(interNalu));
        Assert.Equal(VideoCodec.Avc, CodecInspector.GetVideoCodec(interNalu));
        Assert.False(CodecInspector.IsVideoSequenceHeader(Hex("17 02 00 00 00"))); // End of sequence.
    }

    [Fact]
    public void LegacyHevc_CodecId12()
    {
        var sh = Hex("1C 00 00 00 00 01 01 60 00 00 00");
        Assert.Equal(VideoCodec.Hevc, CodecInspector.GetVideoCodec(sh));
        Assert.True(CodecInspector.IsVideoSequenceHeader(sh));
        Assert.True(CodecInspector.IsVideoKeyframe(sh));
        Assert.Null(CodecInspector.GetAvcProfileLevel(sh));
        Assert.False(CodecInspector.IsVideoSequenceHeader(Hex("2C 01 00 00 00")));
    }

    [Fact]
    public void LegacyOtherCodecs_AreUnknown()
    {
        var sorenson = Hex("22 00 00 84");
        Assert.Equal(VideoCodec.Unknown, CodecInspector.GetVideoCodec(sorenson));
        Assert.False(CodecInspector.IsVideoSequenceHeader(Hex("12 00")));
    }

    [Theory]
    [InlineData("90 68 76 63 31 01", VideoCodec.Hevc, true, true)] // keyframe, SequenceStart, hvc1
    [InlineData("91 68 76 63 31 00 00 00", VideoCodec.Hevc, true, false)] // keyframe, CodedFrames
    [InlineData("A3 61 76 30 31 0A", VideoCodec.Av1, false, false)] // inter, CodedFramesX, av01
    [InlineData("90 61 76 30 31 81", VideoCodec.Av1, true, true)] // av01 SequenceStart
    [InlineData("90 76 70 30 39 01", VideoCodec.Vp9, true, true)] // vp09 SequenceStart
    [InlineData("A1 61 76 63 31 00 00 00", VideoCodec.Avc, false, false)] // avc1 inter
    [InlineData("92 61 76 63 31", VideoCodec.Avc, true, false)] // SequenceEnd
    [InlineData("90 78 78 78 78", VideoCodec.Unknown, true, true)] // Unknown FourCC
    public void EnhancedRtmpVideo(string hex, VideoCodec codec, bool keyframe, bool sequenceHeader)
    {
        var video = Hex(hex);
        Assert.Equal(codec, CodecInspector.GetVideoCodec(video));
        Assert.Equal(keyframe, CodecInspector.IsVideoKeyframe(video));
        Assert.Equal(sequenceHeader, CodecInspector.IsVideoSequenceHeader(video));
    }

    [Fact]
    public void EnhancedRtmpAvcSequenceStart_GivesProfileLevel()
    {
        // ExHeader keyframe SequenceStart "avc1", then the record (no composition time).
        var video = Hex("90 61 76 63 31" + "01 4D 40 28 FF E1 00 00 01 00 00");
        Assert.Equal(VideoCodec.Avc, CodecInspector.GetVideoCodec(video));
        Assert.Equal(("Main", "4"), CodecInspector.GetAvcProfileLevel(video));
    }

    [Fact]
    public void EnhancedRtmpMultitrack_UsesTheInnerPacketType()
    {
        // Multitrack (6): OneTrack (0) | SequenceStart (0), FourCC hvc1, track id 0.
        var oneTrack = Hex("96 00 68 76 63 31 00 01 02");
        Assert.Equal(VideoCodec.Hevc, CodecInspector.GetVideoCodec(oneTrack));
        Assert.True(CodecInspector.IsVideoSequenceHeader(oneTrack));

        // ManyTracksManyCodecs (2) | CodedFrames (1): the first track's FourCC, id, 24-bit size.
        var manyCodecs = Hex("A6 21 61 76 30 31 00 00 00 01 0A");
        Assert.Equal(VideoCodec.Av1, CodecInspector.GetVideoCodec(manyCodecs));
        Assert.False(CodecInspector.IsVideoSequenceHeader(manyCodecs));
        Assert.False(CodecInspector.IsVideoKeyframe(manyCodecs));
    }

    [Fact]
    public void EnhancedRtmpModEx_IsSkipped()
    {
        // ModEx (7): 3 bytes of data (size-1 = 2), then modExType 0 | CodedFrames (1), FourCC av01.
        var video = Hex("97 02 00 00 10 01 61 76 30 31 0A");
        Assert.Equal(VideoCodec.Av1, CodecInspector.GetVideoCodec(video));
        Assert.False(CodecInspector.IsVideoSequenceHeader(video));

        // A 16-bit ModEx size (UI8 255, then UI16 size-1 = 255: 256 bytes).
        var longModEx = Hex("97 FF 00 FF" + string.Concat(Enumerable.Repeat("00", 256)) + "00 68 76 63 31");
        Assert.Equal(VideoCodec.Hevc, CodecInspector.GetVideoCodec(longModEx));
        Assert.True(CodecInspector.IsVideoSequenceHeader(longModEx));
    }

    [Fact]
    public void EnhancedRtmpCommandFrame_HasNoCodec()
    {
        var command = Hex("D1 00"); // Command frame (5), CodedFrames, command byte.
        Assert.Equal(VideoCodec.Unknown, CodecInspector.GetVideoCodec(command));
        Assert.False(CodecInspector.IsVideoKeyframe(command));
        Assert.False(CodecInspector.IsVideoSequenceHeader(command));
    }

    [Theory]
    [InlineData("")]
    [InlineData("17")]
    [InlineData("90")]
    [InlineData("90 68 76 63")]
    [InlineData("97")]
    [InlineData("97 05 00")]
    [InlineData("97 FF 00")]
    [InlineData("96")]
    [InlineData("96 00 68")]
    public void ShortVideo_IsSafe(string hex)
    {
        var video = Hex(hex);
        Assert.Equal(video.Length > 0 && video[0] == 0x17 ? VideoCodec.Avc : VideoCodec.Unknown, CodecInspector.GetVideoCodec(video));
        Assert.False(CodecInspector.IsVideoSequenceHeader(video));
        Assert.Null(CodecInspector.GetAvcProfileLevel(video));
    }

    [Fact]
    public void TruncatedAvcSequenceHeader_GivesNoProfile()
    {
        for (var length = 0; length < 9; length++)
            Assert.Null(CodecInspector.GetAvcProfileLevel(AvcSequenceHeader.AsSpan(0, length)));
        Assert.NotNull(CodecInspector.GetAvcProfileLevel(AvcSequenceHeader.AsSpan(0, 9)));
    }

    [Theory]
    [InlineData(66, "Baseline")]
    [InlineData(77, "Main")]
    [InlineData(88, "Extended")]
    [InlineData(100, "High")]
    [InlineData(110, "High10")]
    [InlineData(122, "High422")]
    [InlineData(244, "High444")]
    [InlineData(1, "Unknown")]
    public void AvcProfileNames(byte profile, string name)
    {
        var video = Hex("17 00 00 00 00 01").Concat(new byte[] { profile, 0, 31 }).ToArray();
        Assert.Equal(name, CodecInspector.GetAvcProfileLevel(video)!.Value.Profile);
    }

    [Theory]
    [InlineData(9, "1b")]
    [InlineData(10, "1")]
    [InlineData(13, "1.3")]
    [InlineData(30, "3")]
    [InlineData(31, "3.1")]
    [InlineData(40, "4")]
    [InlineData(51, "5.1")]
    public void AvcLevelNames(byte level, string name)
    {
        var video = Hex("17 00 00 00 00 01 42 C0").Append(level).ToArray();
        Assert.Equal(name, CodecInspector.GetAvcProfileLevel(video)!.Value.Level);
    }

    // ---- Audio ----

    [Fact]
    public void LegacyAacSequenceHeader()
    {
        var audio = Hex("AF 00 12 10");
        Assert.Equal(AudioCodec.Aac, CodecInspector.GetAudioCodec(audio));
        Assert.True(CodecInspector.IsAudioSequenceHeader(audio));
        Assert.Equal((44100, 2, "LC"), CodecInspector.GetAacConfig(audio));
    }

    [Fact]
    public void LegacyAacRawFrame()
    {
        var audio = Hex("AF 01 21 1B 94");
        Assert.Equal(AudioCodec.Aac, CodecInspector.GetAudioCodec(audio));
        Assert.False(CodecInspector.IsAudioSequenceHeader(audio));
        Assert.Null(CodecInspector.GetAacConfig(audio));
    }

    [Theory]
    [InlineData("AF 00 12 10", 44100, 2, "LC")]
    [InlineData("AF 00 11 90", 48000, 2, "LC")]
    [InlineData("AF 00 13 88", 22050, 1, "LC")]
    [InlineData("AF 00 15 88", 8000, 1, "LC")]
    [InlineData("AF 00 0A 10", 44100, 2, "Main")]
    [InlineData("AF 00 2B 11 88", 48000, 2, "HE")] // Explicit SBR: 24 kHz core, 48 kHz output.
    [InlineData("AF 00 2B 10", 24000, 2, "HE")] // SBR without its extension rate: the core rate.
    [InlineData("AF 00 17 80 2B 67 08", 22222, 1, "LC")] // Escape: explicit 24-bit rate.
    [InlineData("AF 00 F9 46 C0", 48000, 6, "Unknown")] // Escape: object type 42.
    [InlineData("AF 00 12 38", 44100, 8, "LC")] // Channel config 7 = 7.1.
    public void AacAudioSpecificConfigs(string hex, int rate, int channels, string profile) =>
        Assert.Equal((rate, channels, profile), CodecInspector.GetAacConfig(Hex(hex)));

    [Theory]
    [InlineData("")]
    [InlineData("AF")]
    [InlineData("AF 00")]
    [InlineData("AF 00 12")] // Channel config cut.
    [InlineData("AF 00 16 90")] // Reserved frequency index 13.
    [InlineData("AF 00 17 80")] // Explicit rate cut.
    [InlineData("2F 00 12 10")] // MP3, not AAC.
    public void BadAacConfig_IsNull(string hex) => Assert.Null(CodecInspector.GetAacConfig(Hex(hex)));

    [Theory]
    [InlineData("2F FF FB", AudioCodec.Mp3)]
    [InlineData("EE FF FB", AudioCodec.Mp3)] // MP3 8 kHz.
    [InlineData("B2 00", AudioCodec.Other)] // Speex.
    [InlineData("72", AudioCodec.Other)] // G.711 A-law.
    [InlineData("", AudioCodec.Unknown)]
    public void LegacyAudioFormats(string hex, AudioCodec codec)
    {
        Assert.Equal(codec, CodecInspector.GetAudioCodec(Hex(hex)));
        Assert.False(CodecInspector.IsAudioSequenceHeader(Hex(hex)));
    }

    [Theory]
    [InlineData("90 4F 70 75 73 4F 70 75 73 48 65 61 64", AudioCodec.Opus, true)] // SequenceStart Opus + OpusHead
    [InlineData("91 4F 70 75 73 FC", AudioCodec.Opus, false)] // CodedFrames
    [InlineData("90 6D 70 34 61 12 10", AudioCodec.Aac, true)] // mp4a SequenceStart
    [InlineData("91 2E 6D 70 33 FF FB", AudioCodec.Mp3, false)] // .mp3
    [InlineData("90 66 4C 61 43", AudioCodec.Other, true)] // fLaC
    [InlineData("95 00 4F 70 75 73 00", AudioCodec.Opus, true)] // Multitrack OneTrack SequenceStart
    [InlineData("97 00 00 01 6D 70 34 61", AudioCodec.Aac, false)] // ModEx then CodedFrames
    [InlineData("90 4F 70", AudioCodec.Unknown, false)] // FourCC cut
    [InlineData("90", AudioCodec.Unknown, false)]
    public void EnhancedRtmpAudio(string hex, AudioCodec codec, bool sequenceHeader)
    {
        var audio = Hex(hex);
        Assert.Equal(codec, CodecInspector.GetAudioCodec(audio));
        Assert.Equal(sequenceHeader, CodecInspector.IsAudioSequenceHeader(audio));
    }

    [Fact]
    public void EnhancedRtmpMp4aSequenceStart_GivesAacConfig()
    {
        Assert.Equal((44100, 2, "LC"), CodecInspector.GetAacConfig(Hex("90 6D 70 34 61 12 10")));
        Assert.Null(CodecInspector.GetAacConfig(Hex("90 4F 70 75 73 12 10"))); // Opus, not AAC.
    }

    [Fact]
    public void Fuzz_NeverThrows()
    {
        var random = new Random(777);
        for (var i = 0; i < 20_000; i++)
        {
            var data = new byte[random.Next(0, 24)];
            random.NextBytes(data);
            CodecInspector.GetVideoCodec(data);
            CodecInspector.IsVideoKeyframe(data);
            CodecInspector.IsVideoSequenceHeader(data);
            CodecInspector.GetAvcProfileLevel(data);
            CodecInspector.GetAudioCodec(data);
            CodecInspector.IsAudioSequenceHeader(data);
            CodecInspector.GetAacConfig(data);
        }
    }
}
