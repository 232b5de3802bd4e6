using System.Diagnostics;

namespace Srs.Actors.Media;

/// <summary>
/// When a source flushes its players (merged writes, SRS's mw_latency): every packet is queued at
/// once, but players are sent to only when a video frame arrives and the stream time since the
/// last flush reaches the latency, so audio and metadata ride along with video and a player gets
/// one write per flush instead of one per message. Audio-only streams flush on audio the same way.
/// </summary>
/// <remarks>
/// With a latency of 0 every video frame is a flush (about 25 writes a second at 25 fps instead
/// of ~70 messages); a latency of 80 ms at 25 fps is one write per two frames. A packet waits at
/// most the latency in stream time; <see cref="IsOverdue"/> covers a publisher that stops sending
/// video (audio-only stretches, a stalled encoder), judged on the wall clock.
/// </remarks>
public sealed class MergeWindow(TimeSpan latency)
{
    /// <summary>How long past the latency a pending packet may wait on the wall clock before a tick flushes it.</summary>
    public static readonly TimeSpan OverdueSlack = TimeSpan.FromMilliseconds(100);

    private readonly uint _latencyMs = (uint)Math.Max(0, latency.TotalMilliseconds);
    private readonly long _overdueTicks = (long)((latency + OverdueSlack).TotalSeconds * Stopwatch.Frequency);
    private bool _flushedOnce;
    private uint _lastFlush;
    private long _pendingSince;
    private bool _pending;

    public TimeSpan Latency => latency;

    /// <summary>Records a queued packet; true when the players should be flushed now.</summary>
    public bool OnPacket(MediaPacket packet, bool streamHasVideo)
    {
        if (!_pending)
        {
            _pending = true;
            _pendingSince = Stopwatch.GetTimestamp();
        }
        var trigger = streamHasVideo ? packet.IsVideo : !packet.IsHeader;
        if (!trigger) return false;
        var ts = packet.Timestamp;
        // Timestamps going back (a new publish session) also flush: the window restarts there.
        var due = !_flushedOnce || ts < _lastFlush || ts - _lastFlush >= _latencyMs;
        if (due) Flushed(ts);
        return due;
    }

    /// <summary>True when something is pending for longer than the latency plus <see cref="OverdueSlack"/> on the wall clock.</summary>
    public bool IsOverdue(long now) => _pending && now - _pendingSince >= _overdueTicks;

    /// <summary>The players were flushed for another reason (a tick, the publisher left).</summary>
    public void Flushed() => _pending = false;

    private void Flushed(uint timestamp)
    {
        _pending = false;
        _flushedOnce = true;
        _lastFlush = timestamp;
    }
}
