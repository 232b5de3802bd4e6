using System.Diagnostics;
using System.Globalization;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// A real player: ffprobe reading a live RTMP or HTTP-FLV URL and printing every demuxed packet
/// (codec type, stream, pts, dts, key flag) as it arrives (line-buffered through stdbuf). ffprobe
/// shows the timestamps exactly as received (no remuxing fixes them up). It counts frames, keeps
/// the packets, and records every per-stream DTS that went backwards. With <c>readSeconds</c> it
/// stops by itself after that much media time and then prints the streams' codec parameters.
/// </summary>
public sealed class FfprobePlayer : IAsyncDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<ProbedPacket> _packets = [];
    private readonly Dictionary<int, ProbedPacket> _lastByStream = [];
    private readonly List<string> _violations = [];
    private readonly Dictionary<int, Dictionary<string, string>> _streams = [];
    private ChildProcess _process = null!;
    private int _video, _audio;
    private long _payloadBytes;

    public string Url { get; }
    public ChildProcess Process => _process;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.ExitCode;
    public TimeSpan Elapsed => _clock.Elapsed;

    private FfprobePlayer(string url) => Url = url;

    public static FfprobePlayer Start(string url, double? readSeconds = null, string? name = null)
    {
        var player = new FfprobePlayer(url);
        var args = new List<string>
        {
            "-oL", "ffprobe", "-hide_banner", "-v", "warning",
            "-show_entries", "packet=codec_type,stream_index,pts,dts,size,flags:stream=index,codec_name,codec_type,width,height,sample_rate,channels",
            "-of", "compact",
        };
        if (readSeconds is { } s) args.AddRange(["-read_intervals", "%+" + s.ToString("0.###", CultureInfo.InvariantCulture)]);
        args.AddRange(["-i", url]);
        player._process = ChildProcess.Start(name ?? $"player {url}", "stdbuf", args, onStdoutLine: player.OnLine);
        return player;
    }

    private bool OnLine(string line)
    {
        var at = _clock.Elapsed;
        if (ProbedPacket.TryParse(line, at) is { } p)
        {
            lock (_packets)
            {
                _packets.Add(p);
                _payloadBytes += p.Size;
                if (p.IsVideo) _video++;
                else if (p.IsAudio) _audio++;
                if (p.Dts is { } dts && _lastByStream.TryGetValue(p.StreamIndex, out var prev) && prev.Dts is { } prevDts && dts < prevDts)
                    _violations.Add($"{p.CodecType} stream {p.StreamIndex}: dts went back from {prevDts} to {dts} (packet {_packets.Count}, at {at.TotalSeconds:0.000}s)");
                _lastByStream[p.StreamIndex] = p;
            }
        }
        else if (line.StartsWith("stream|", StringComparison.Ordinal))
        {
            var f = CompactLine.Fields(line);
            lock (_packets)
                if (int.TryParse(f.GetValueOrDefault("index"), out var index)) _streams[index] = f;
        }
        else
        {
            return false;
        }
        return true;
    }

    public int VideoFrames { get { lock (_packets) return _video; } }
    public int AudioFrames { get { lock (_packets) return _audio; } }
    /// <summary>The media payload bytes received so far (the packets' sizes): less than what came over the wire.</summary>
    public long PayloadBytes { get { lock (_packets) return _payloadBytes; } }

    public IReadOnlyList<ProbedPacket> Packets { get { lock (_packets) return _packets.ToList(); } }

    /// <summary>Every time a stream's DTS went backwards (empty when timestamps are monotonic).</summary>
    public IReadOnlyList<string> TimestampViolations { get { lock (_packets) return _violations.ToList(); } }

    /// <summary>Codec parameters by stream index (only once ffprobe ended by itself: see readSeconds).</summary>
    public IReadOnlyDictionary<int, Dictionary<string, string>> Streams { get { lock (_packets) return new Dictionary<int, Dictionary<string, string>>(_streams); } }

    public IEnumerable<string> CodecNames(string codecType) =>
        Streams.Values.Where(s => s.GetValueOrDefault("codec_type") == codecType).Select(s => s.GetValueOrDefault("codec_name", "?"));

    /// <summary>Video frames that arrived at or after <paramref name="since"/> (player clock).</summary>
    public int VideoFramesSince(TimeSpan since)
    {
        lock (_packets) return _packets.Count(p => p.IsVideo && p.At >= since);
    }

    /// <summary>The longest wait between two video frames that arrived in [from, to] (player clock).</summary>
    public TimeSpan LongestVideoGap(TimeSpan from, TimeSpan to)
    {
        var times = new List<TimeSpan> { from };
        lock (_packets) times.AddRange(_packets.Where(p => p.IsVideo && p.At >= from && p.At <= to).Select(p => p.At));
        times.Add(to);
        var gap = TimeSpan.Zero;
        for (var i = 1; i < times.Count; i++)
            if (times[i] - times[i - 1] > gap) gap = times[i] - times[i - 1];
        return gap;
    }

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public string Summary()
    {
        lock (_packets)
        {
            var tail = string.Join("; ", _packets.TakeLast(4));
            return $"{_video} video / {_audio} audio packets, {_violations.Count} dts regressions, last: {tail}";
        }
    }

    public string Describe(int lines = 40)
    {
        var violations = TimestampViolations;
        return $"{_process.Describe(lines)}\n    {Summary()}"
            + (violations.Count == 0 ? "" : "\n    dts regressions: " + string.Join("\n      ", violations.Take(10)));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
