using System.Diagnostics;

namespace Srs.Bench.Play;

/// <summary>
/// What one player saw. Written by its receive loop only; read by the monitor and the summary
/// (64-bit fields, read with Volatile). Timestamps are <see cref="Stopwatch"/> ticks, 0 = not yet.
/// </summary>
public sealed class PlayerStats(int index, string stream)
{
    public int Index { get; } = index;
    public string Stream { get; } = stream;

    public long ConnectStarted;
    /// <summary>NetStream.Play.Start (RTMP) or the HTTP 200 header (HTTP-FLV).</summary>
    public long PlayStarted;
    public long FirstMedia;
    /// <summary>First keyframe: what a decoder can show first (time to first frame ends here).</summary>
    public long FirstKeyframe;
    public long LastMedia;
    /// <summary>The last video picture (not a sequence header).</summary>
    public long LastPicture;
    /// <summary>The longest wall-clock gap between two video pictures, in ticks, and when it ended.</summary>
    public long LongestPictureGap;
    public long LongestPictureGapEnd;
    /// <summary>The player's own TCP port, to find its connection in the server's log.</summary>
    public int LocalPort;

    public long Bytes;
    public long VideoFrames;
    public long AudioFrames;
    /// <summary>Video frames whose stream sequence number skipped ahead (frames the server dropped).</summary>
    public long SequenceGaps;
    public uint LastSequence;

    /// <summary>Gaps of more than the stall threshold without media, counted by the monitor.</summary>
    public int Stalls;
    public bool InStall;

    /// <summary>Why it failed or ended early; null while fine.</summary>
    public string? Error;
    /// <summary>True when the error came before playing began (a failed connect).</summary>
    public bool FailedToStart;
    /// <summary>Set when the tool itself closed it (end of run, churn): its end is not an error.</summary>
    public volatile bool Closing;
    public volatile bool Ended;

    // Window snapshots, taken by the monitor.
    public long WindowStartFrames;
    public long WindowStartBytes;
    public long WindowEndFrames;
    public long WindowEndBytes;

    public bool Playing => Volatile.Read(ref PlayStarted) != 0 && !Ended;

    public double? TimeToFirstFrameMs => Volatile.Read(ref FirstKeyframe) is var k and > 0
        ? Stopwatch.GetElapsedTime(ConnectStarted, k).TotalMilliseconds
        : null;

    public double? SetupMs => Volatile.Read(ref PlayStarted) is var p and > 0
        ? Stopwatch.GetElapsedTime(ConnectStarted, p).TotalMilliseconds
        : null;

    /// <summary>
    /// The longest gap between pictures and when it ended, counting the one still open at
    /// <paramref name="now"/> (a viewer that stopped getting video); End 0 before a second picture.
    /// </summary>
    public (TimeSpan Gap, long End) LongestPictureGapAt(long now)
    {
        var last = Volatile.Read(ref LastPicture);
        var (gap, end) = (Volatile.Read(ref LongestPictureGap), Volatile.Read(ref LongestPictureGapEnd));
        if (last != 0 && now - last > gap) (gap, end) = (now - last, now);
        return (Stopwatch.GetElapsedTime(0, gap), end);
    }

    public void Fail(string error)
    {
        if (Closing || Error is not null) return;
        Error = error;
        FailedToStart = Volatile.Read(ref PlayStarted) == 0;
    }
}
