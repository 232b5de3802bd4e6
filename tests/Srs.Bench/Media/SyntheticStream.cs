using System.Buffers.Binary;
using Srs.Protocol.Amf;
using Srs.Protocol.Flv;
using Srs.Protocol.Rtmp;

namespace Srs.Bench.Media;

/// <summary>
/// A generated "H.264 + AAC shaped" stream, no encoder needed: real sequence headers (an
/// AVCDecoderConfigurationRecord and AAC-LC's AudioSpecificConfig), then a video frame every
/// 40 ms at the default 25 fps (a keyframe every <see cref="StreamProfile.GopFrames"/>) and,
/// unless the profile has no audio, an AAC frame every 1024 samples (~23.2 ms). Frame payloads are FLV tag bodies with correct first bytes and one
/// AVCC-framed NAL unit (IDR or non-IDR slice header byte, filler after it), sized so the
/// stream runs at the profile's bitrate. The decoder would reject the slices; servers only look
/// at the headers, as <see cref="CodecInspector"/> does.
/// </summary>
public sealed class SyntheticStream
{
    /// <summary>FLV audio tag body of the AAC sequence header: AAC, 44 kHz, 16-bit, stereo (AF), packet type 0,
    /// then AudioSpecificConfig 12 10 = object type 2 (LC), frequency index 4 (44100), channel configuration 2.</summary>
    private static readonly byte[] AacSequenceHeader = [0xAF, 0x00, 0x12, 0x10];

    /// <summary>A keyframe carries this many times the bytes of an inter frame.</summary>
    private const int KeyframeWeight = 4;

    private readonly byte[] _keyframe;
    private readonly byte[] _interFrame;
    private readonly byte[] _audioFrame;

    /// <param name="stamped">Each video frame starts with a <see cref="FrameStamp"/> SEI (same frame sizes):
    /// the publisher fills in its send time, so players can measure end-to-end latency.</param>
    public SyntheticStream(StreamProfile profile, bool stamped = false)
    {
        Profile = profile;
        Stamped = stamped;
        var videoBytesPerGop = (long)profile.VideoKbps * 1000 / 8 * profile.GopFrames / profile.FramesPerSecond;
        var interSize = (int)Math.Max(16, videoBytesPerGop / (profile.GopFrames - 1 + KeyframeWeight));
        _keyframe = VideoFrame(keyframe: true, interSize * KeyframeWeight, stamped);
        _interFrame = VideoFrame(keyframe: false, interSize, stamped);
        var audioSize = (int)Math.Max(8, (long)profile.AudioKbps * 1000 / 8 * StreamProfile.AudioSamplesPerFrame / StreamProfile.AudioSampleRate);
        _audioFrame = AudioFrame(audioSize);
        VideoHeader = new MediaFrame(RtmpMessageType.Video, 0, AvcSequenceHeader.FlvTagBody());
        AudioHeader = new MediaFrame(RtmpMessageType.Audio, 0, AacSequenceHeader);
        Check();
    }

    public StreamProfile Profile { get; }

    /// <summary>Video frames carry a <see cref="FrameStamp"/> (to be set by the publisher on a copy).</summary>
    public bool Stamped { get; }

    public MediaFrame VideoHeader { get; }

    public MediaFrame AudioHeader { get; }

    public int KeyframeBytes => _keyframe.Length;

    public int InterFrameBytes => _interFrame.Length;

    public int AudioFrameBytes => _audioFrame.Length;

    /// <summary>onMetaData properties, as an encoder announces them.</summary>
    public Amf0Object MetaData()
    {
        var meta = new Amf0Object(isEcmaArray: true)
            .Add("duration", 0.0)
            .Add("width", (double)StreamProfile.Width)
            .Add("height", (double)StreamProfile.Height)
            .Add("videodatarate", (double)Profile.VideoKbps)
            .Add("framerate", (double)Profile.FramesPerSecond)
            .Add("videocodecid", 7.0);
        if (Profile.Audio)
        {
            meta.Add("audiodatarate", (double)Profile.AudioKbps)
                .Add("audiosamplerate", (double)StreamProfile.AudioSampleRate)
                .Add("audiosamplesize", 16.0)
                .Add("stereo", true)
                .Add("audiocodecid", 10.0);
        }
        return meta.Add("encoder", "Srs.Bench synthetic stream");
    }

    /// <summary>The sequence headers: send them first, after the metadata.</summary>
    public IEnumerable<MediaFrame> Headers()
    {
        yield return VideoHeader;
        if (Profile.Audio) yield return AudioHeader;
    }

    /// <summary>Video and audio frames in timestamp order, from 0 up to (not including) <paramref name="durationMs"/>.</summary>
    public IEnumerable<MediaFrame> Frames(uint durationMs)
    {
        long video = 0;
        long audio = 0;
        while (true)
        {
            var videoTs = video * Profile.FrameIntervalMs;
            var audioTs = Profile.Audio ? audio * StreamProfile.AudioSamplesPerFrame * 1000 / StreamProfile.AudioSampleRate : long.MaxValue;
            if (Math.Min(videoTs, audioTs) >= durationMs) yield break;
            if (videoTs <= audioTs)
            {
                yield return new MediaFrame(RtmpMessageType.Video, (uint)videoTs, video % Profile.GopFrames == 0 ? _keyframe : _interFrame);
                video++;
            }
            else
            {
                yield return new MediaFrame(RtmpMessageType.Audio, (uint)audioTs, _audioFrame);
                audio++;
            }
        }
    }

    /// <summary>One line for the console: what a server will see in these bytes.</summary>
    public string Describe()
    {
        var video = AvcSequenceHeader.FlvTagBody();
        var (profile, level) = CodecInspector.GetAvcProfileLevel(video) ?? ("?", "?");
        var (rate, channels, aacProfile) = CodecInspector.GetAacConfig(AacSequenceHeader) ?? (0, 0, "?");
        var audio = Profile.Audio ? $"AAC {aacProfile} {rate} Hz {channels} ch ({AudioFrameBytes} B/frame)" : "no audio";
        return $"H.264 {profile} {level} {StreamProfile.Width}x{StreamProfile.Height} {Profile.FramesPerSecond} fps, " +
               $"keyframe every {Profile.GopFrames} frames ({KeyframeBytes} B, inter {InterFrameBytes} B); {audio}; {Profile.Kbps} kbps";
    }

    /// <summary>The frames must look right to the server's inspector, or the benchmark measures the wrong thing.</summary>
    private void Check()
    {
        var video = VideoHeader.Payload.Span;
        var audio = AudioHeader.Payload.Span;
        if (CodecInspector.GetVideoCodec(video) != VideoCodec.Avc || !CodecInspector.IsVideoSequenceHeader(video)
            || CodecInspector.GetAvcProfileLevel(video) != ("High", "3")
            || !CodecInspector.IsVideoKeyframe(_keyframe) || CodecInspector.IsVideoSequenceHeader(_keyframe)
            || CodecInspector.IsVideoKeyframe(_interFrame)
            || CodecInspector.GetAudioCodec(audio) != AudioCodec.Aac || !CodecInspector.IsAudioSequenceHeader(audio)
            || CodecInspector.GetAacConfig(audio) != (44100, 2, "LC")
            || CodecInspector.IsAudioSequenceHeader(_audioFrame))
        {
            throw new InvalidOperationException("The synthetic stream does not inspect as H.264 + AAC.");
        }
    }

    /// <summary>FLV video tag body: frame type + AVC, NALU packet, composition time 0, one AVCC NAL unit
    /// (after a <see cref="FrameStamp"/> SEI NAL unit when stamped).</summary>
    private static byte[] VideoFrame(bool keyframe, int size, bool stamped)
    {
        var slice = stamped ? FrameStamp.EndOffset : 5;
        size = Math.Max(size, slice + 16);
        var frame = new byte[size];
        frame[0] = keyframe ? (byte)0x17 : (byte)0x27;
        frame[1] = 0x01;
        // frame[2..5]: composition time 0.
        if (stamped) FrameStamp.WriteTemplate(frame.AsSpan(5));
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(slice), size - slice - 4);
        frame[slice + 4] = keyframe ? (byte)0x65 : (byte)0x41; // IDR slice (ref idc 3) or non-IDR slice (ref idc 2).
        (keyframe ? IdrSliceHeader : PSliceHeader).CopyTo(frame.AsSpan(slice + 5));
        Fill(frame.AsSpan(slice + 8), keyframe ? 1 : 2);
        return frame;
    }

    /// <summary>
    /// A parseable I slice header for <see cref="AvcSequenceHeader"/>'s SPS/PPS: first_mb_in_slice 0 "1",
    /// slice_type 7 "0001000", pps id 0 "1", frame_num "0000", idr_pic_id 0 "1", no_output_of_prior_pics 0,
    /// long_term_reference 0, slice_qp_delta 0 "1", disable_deblocking_filter_idc 1 "010", then
    /// cabac_alignment_one_bits. So tools read the frame size; the slice data after it is filler.
    /// </summary>
    private static ReadOnlySpan<byte> IdrSliceHeader => [0x88, 0x84, 0xAF];

    /// <summary>P slice header: first_mb 0, slice_type 5 "00110", pps 0, frame_num "0001", no overrides,
    /// no list modification, no adaptive marking, cabac_init_idc 0, qp delta 0, deblocking off, alignment.</summary>
    private static ReadOnlySpan<byte> PSliceHeader => [0x9A, 0x23, 0x5F];

    /// <summary>FLV audio tag body: AAC (AF), raw frame packet (01), filler.</summary>
    private static byte[] AudioFrame(int size)
    {
        var frame = new byte[Math.Max(size, 4)];
        frame[0] = 0xAF;
        frame[1] = 0x01;
        Fill(frame.AsSpan(2), 3);
        return frame;
    }

    /// <summary>Filler without 00 00 runs, so nothing in it reads as a start code.</summary>
    private static void Fill(Span<byte> span, int seed)
    {
        var random = new Random(seed);
        random.NextBytes(span);
        for (var i = 0; i < span.Length; i++)
            if (span[i] == 0) span[i] = 0x5A;
    }
}
