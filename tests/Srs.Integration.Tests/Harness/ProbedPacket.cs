namespace Srs.Integration.Tests.Harness;

/// <summary>One packet as ffprobe demuxed it (timestamps in the stream time base: ms for FLV), with when it was printed.</summary>
/// <param name="Size">The packet's payload bytes (0 when ffprobe did not print them).</param>
public sealed record ProbedPacket(string CodecType, int StreamIndex, long? Pts, long? Dts, bool Key, TimeSpan At, int Size = 0)
{
    public bool IsVideo => CodecType == "video";
    public bool IsAudio => CodecType == "audio";

    /// <summary>Parses "packet|codec_type=video|stream_index=0|pts=40|dts=40|flags=K_" (ffprobe -of compact).</summary>
    public static ProbedPacket? TryParse(string line, TimeSpan at)
    {
        if (!line.StartsWith("packet|", StringComparison.Ordinal)) return null;
        var f = CompactLine.Fields(line);
        return new ProbedPacket(
            f.GetValueOrDefault("codec_type", "?"),
            int.TryParse(f.GetValueOrDefault("stream_index"), out var i) ? i : -1,
            long.TryParse(f.GetValueOrDefault("pts"), out var pts) ? pts : null,
            long.TryParse(f.GetValueOrDefault("dts"), out var dts) ? dts : null,
            f.GetValueOrDefault("flags", "").StartsWith('K'),
            at,
            int.TryParse(f.GetValueOrDefault("size"), out var size) ? size : 0);
    }

    public override string ToString() => $"{CodecType}#{StreamIndex} dts={Dts} pts={Pts}{(Key ? " key" : "")} at {At.TotalSeconds:0.000}s";
}
