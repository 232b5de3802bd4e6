using System.Buffers;
using Srs.Bench.Cli;
using Srs.Bench.Media;
using Srs.Protocol.Flv;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Modes;

/// <summary><c>flv</c>: writes the synthetic stream to an FLV file, to check it with other tools (ffprobe shows the SPS).</summary>
public static class FlvMode
{
    public const string Usage = """
          flv          write the generated stream to an FLV file (check it with ffprobe)
            --out FILE          [synthetic.flv]
            --duration T        [4s]
            --bitrate KBPS      [1000]
            --gop FRAMES        [50]
            --stamped on|off    video frames start with the send-time SEI that play uses  [off]
        """;

    public static int Run(BenchArgs args)
    {
        var path = args.String("out", "synthetic.flv");
        var duration = args.Duration("duration", TimeSpan.FromSeconds(4));
        var stamped = args.Switch("stamped", false);
        var stream = new SyntheticStream(new StreamProfile(args.Int("bitrate", 1000), args.Int("gop", 50)), stamped);
        args.ThrowOnUnknown();

        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, hasAudio: true, hasVideo: true);
        var metaData = ClientCommands.SetDataFrame(stream.MetaData());
        // Players read onMetaData; strip the "@setDataFrame" the publisher sends.
        Protocol.Rtmp.Messages.DataMessages.TryGetMetaData(metaData, out var onMetaData);
        FlvWriter.WriteTag(output, RtmpMessageType.DataAmf0, 0, onMetaData.Span);
        foreach (var frame in stream.Headers().Concat(stream.Frames((uint)duration.TotalMilliseconds)))
            FlvWriter.WriteTag(output, frame.TypeId, frame.Timestamp, frame.Payload.Span);
        File.WriteAllBytes(path, output.WrittenSpan.ToArray());
        Console.WriteLine($"wrote {path}: {output.WrittenCount} bytes, {duration.TotalSeconds:0.#} s of {stream.Describe()}");
        return 0;
    }
}
