using System.Diagnostics;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Testing;

/// <summary>
/// A viewer on the project's own RTMP client that records what a person would notice: when the
/// first video frame came, how many came, the longest wait between two of them (a frozen picture),
/// and whether the connection is still open. Plays until disposed.
/// </summary>
public sealed class StreamWatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _frames;
    private long _lastFrame;
    private long _maxGapTicks;
    private long _maxGapEnded;
    private long _firstFrame;
    private int _disposed;

    private StreamWatcher(int port, string app, string stream) => Completion = RunAsync(port, app, stream);

    /// <summary>Ends when the server closes the connection (or on dispose); holds the reason.</summary>
    public Task<string> Completion { get; }
    public long Frames => Interlocked.Read(ref _frames);
    public bool Connected => !Completion.IsCompleted;

    /// <summary>From the play to the first video frame; null before it.</summary>
    public TimeSpan? FirstFrameAfter => Interlocked.Read(ref _firstFrame) is var t and > 0 ? Stopwatch.GetElapsedTime(_started, t) : null;

    /// <summary>The longest time between two video frames so far.</summary>
    public TimeSpan MaxGap => TimeSpan.FromTicks(Interlocked.Read(ref _maxGapTicks) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

    /// <summary>The wall-clock time the longest gap ended (to find it in a node's log), or null.</summary>
    public DateTime? MaxGapEnded => Interlocked.Read(ref _maxGapEnded) is var t and > 0 ? new DateTime(t, DateTimeKind.Utc) : null;

    /// <summary>The longest gap and when it ended, for assertion messages.</summary>
    public string DescribeGap() => $"longest gap {MaxGap.TotalMilliseconds:F0} ms, ended {MaxGapEnded:HH:mm:ss.fff} UTC";

    /// <summary>Forgets the gaps seen so far: <see cref="MaxGap"/> then covers only what follows.</summary>
    public void ResetGap() => Interlocked.Exchange(ref _maxGapTicks, 0);

    public static StreamWatcher Play(int port, string app, string stream) => new(port, app, stream);

    private async Task<string> RunAsync(int port, string app, string stream)
    {
        await Task.Yield();
        try
        {
            var (tcp, rtmp) = await HeldPublisher.OpenAsync(port, app, _cts.Token);
            using var _ = tcp;
            await using var __ = rtmp;
            await rtmp.PlayAsync(stream, _cts.Token);
            await foreach (var message in rtmp.ReadMediaAsync(_cts.Token))
            {
                // Video frames only: a sequence header (AVC packet type 0) is not a picture.
                if (message.TypeId != 9 || message.Payload.Length < 2 || message.Payload.Span[1] == 0) continue;
                var now = Stopwatch.GetTimestamp();
                var last = Interlocked.Exchange(ref _lastFrame, now);
                if (last == 0) Interlocked.Exchange(ref _firstFrame, now);
                else if (now - last > Interlocked.Read(ref _maxGapTicks))
                {
                    Interlocked.Exchange(ref _maxGapTicks, now - last);
                    Interlocked.Exchange(ref _maxGapEnded, DateTime.UtcNow.Ticks);
                }
                Interlocked.Increment(ref _frames);
            }
            return "the server ended the stream";
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            return "disposed";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Stops playing; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _cts.Cancel();
        await Completion;
        _cts.Dispose();
    }
}
