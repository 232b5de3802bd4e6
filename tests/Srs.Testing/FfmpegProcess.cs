using System.Collections.Concurrent;
using System.Diagnostics;

namespace Srs.Testing;

/// <summary>
/// An ffmpeg client: a publisher (generated H.264 + AAC test stream, in real time) or a player
/// (copies the stream to nowhere, reporting the frames it received through -progress).
/// </summary>
public sealed class FfmpegProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private long _frames;
    private int _disposed;

    public DateTime? ExitedAt { get; private set; }

    private FfmpegProcess(Process process) => _process = process;

    /// <summary>Publishes a test stream for <paramref name="duration"/> (then ffmpeg unpublishes and exits).</summary>
    public static FfmpegProcess Publish(string url, TimeSpan duration) => Start(
        "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
        "-c:a", "aac", "-b:a", "64k", "-f", "flv", url);

    /// <summary>Plays a stream (RTMP or HTTP-FLV), counting frames received.</summary>
    public static FfmpegProcess Play(string url) => Start(
        "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-stats_period", "0.2",
        "-i", url, "-c", "copy", "-f", "null", "-");

    private static FfmpegProcess Start(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var ff = new FfmpegProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("frame=") && long.TryParse(line[6..], out var n)) Interlocked.Exchange(ref ff._frames, n);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) ff._stderr.Enqueue(e.Data); };
        process.Exited += (_, _) => ff.ExitedAt ??= DateTime.UtcNow;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return ff;
    }

    public long Frames => Interlocked.Read(ref _frames);
    public bool HasExited => _process.HasExited;
    public string Errors => string.Join('\n', _stderr);

    public async Task<DateTime?> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { return null; }
        return ExitedAt ?? DateTime.UtcNow;
    }

    /// <summary>Kills ffmpeg if it still runs. Safe to call twice (a test may end a client early, then leave its scope).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
