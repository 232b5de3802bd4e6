namespace Srs.Integration.Tests.Harness;

/// <summary>
/// ffmpeg publishing a generated stream in real time (-re): lavfi testsrc 320x240 at 25 fps and a
/// sine tone, libx264 ultrafast/zerolatency with a keyframe every second (-g 25), AAC, as FLV to
/// an RTMP URL. Runs for <c>duration</c>, or until disposed.
/// </summary>
public sealed class FfmpegPublisher : IAsyncDisposable
{
    public const int Fps = 25;

    private readonly ChildProcess _process;

    public string Url { get; }
    public ChildProcess Process => _process;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.ExitCode;

    private FfmpegPublisher(string url, ChildProcess process)
    {
        Url = url;
        _process = process;
    }

    public static FfmpegPublisher Start(string url, TimeSpan? duration = null, string? name = null)
    {
        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-loglevel", "warning",
            "-re", "-f", "lavfi", "-i", $"testsrc=size=320x240:rate={Fps}",
            "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        };
        if (duration is { } d) args.AddRange(["-t", d.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange([
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", $"{Fps}", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k",
            "-f", "flv", url,
        ]);
        return new FfmpegPublisher(url, ChildProcess.Start(name ?? $"publisher {url}", "ffmpeg", args));
    }

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public string Describe(int lines = 40) => _process.Describe(lines);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
