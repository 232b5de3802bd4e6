using System.Diagnostics;

namespace Srs.Actors.Media;

/// <summary>
/// When a source flushes its players (merged writes, SRS's mw_latency): every packet is queued at
/// once, but players are sent to only when a video frame arrives and the stream time since their
/// last flush reaches the latency, so audio and metadata ride along with video and a player gets
/// one write per window instead of one per message. Audio-only streams flush on audio the same way.
/// </summary>
/// <remarks>
/// <para>
/// With a latency of 0 every video frame is a flush (about 25 writes a second at 25 fps instead
/// of ~70 messages); a latency of 80 ms at 25 fps is one write per two frames. A packet waits at
/// most the latency in stream time; <see cref="IsOverdue"/> covers a publisher that stops sending
/// video (audio-only stretches, a stalled encoder), judged on the wall clock.
/// </para>
/// <para>
/// The windows of the <see cref="Phases"/> phases are staggered (the source decides which players
/// are in which phase): at 80 ms with two phases, one half of the players is flushed on even
/// frames, the other half on odd ones. Each player still
/// gets one write per window, but a flush sends to half the players, so the last player of a
/// flush waits half as long behind the others (with thousands of players one flush is tens of
/// milliseconds of sends in a row) and the sends are spread evenly over time instead of coming in
/// one burst per window. Phases that fall due on the same frame (the first frame, a gap in the
/// video, timestamps going back) are flushed together and staggered again from there.
/// </para>
/// </remarks>
public sealed class MergeWindow
{
    /// <summary>How long past the latency a pending packet may wait on the wall clock before a tick flushes it.</summary>
    public static readonly TimeSpan OverdueSlack = TimeSpan.FromMilliseconds(100);

    /// <summary>Phases a source splits its players into.</summary>
    public const int DefaultPhases = 2;

    /// <summary>More phases than frames in a window would only flush some phases together.</summary>
    public const int MaxPhases = 8;

    private readonly long _latencyMs;
    private readonly long _overdueTicks;
    private readonly long[] _lastFlush;
    private readonly long[] _pendingSince;
    private readonly bool[] _pending;
    private bool _started;

    public MergeWindow(TimeSpan latency, int phases = DefaultPhases)
    {
        if (phases is < 1 or > MaxPhases) throw new ArgumentOutOfRangeException(nameof(phases), phases, $"between 1 and {MaxPhases} phases");
        Latency = latency;
        _latencyMs = (long)Math.Max(0, latency.TotalMilliseconds);
        _overdueTicks = (long)((latency + OverdueSlack).TotalSeconds * Stopwatch.Frequency);
        _lastFlush = new long[phases];
        _pendingSince = new long[phases];
        _pending = new bool[phases];
    }

    public TimeSpan Latency { get; }

    public int Phases => _lastFlush.Length;

    /// <summary>A mask with every phase's bit set.</summary>
    public int AllPhases => (1 << Phases) - 1;

    /// <summary>Records a queued packet; the phases to flush now, one bit each (0: none).</summary>
    public int OnPacket(MediaPacket packet, bool streamHasVideo)
    {
        var now = 0L;
        for (var p = 0; p < _pending.Length; p++)
        {
            if (_pending[p]) continue;
            if (now == 0) now = Stopwatch.GetTimestamp();
            _pending[p] = true;
            _pendingSince[p] = now;
        }

        var trigger = streamHasVideo ? packet.IsVideo : !packet.IsHeader;
        if (!trigger) return 0;
        long ts = packet.Timestamp;
        var due = 0;
        // Timestamps going back (a new publish session) also flush: the windows restart there.
        for (var p = 0; p < _lastFlush.Length; p++)
            if (!_started || ts < _lastFlush[p] || ts - _lastFlush[p] >= _latencyMs) due |= 1 << p;
        _started = true;
        if (due != 0) Flushed(due, ts);
        return due;
    }

    /// <summary>True when something is pending for longer than the latency plus <see cref="OverdueSlack"/> on the wall clock.</summary>
    public bool IsOverdue(long now)
    {
        for (var p = 0; p < _pending.Length; p++)
            if (_pending[p] && now - _pendingSince[p] >= _overdueTicks) return true;
        return false;
    }

    /// <summary>Every phase was flushed for another reason (a tick, the publisher left); their windows keep their stream-time phase.</summary>
    public void Flushed() => Array.Clear(_pending);

    private void Flushed(int due, long timestamp)
    {
        var first = true;
        for (var p = 0; p < _lastFlush.Length; p++)
        {
            if ((due & (1 << p)) == 0) continue;
            _pending[p] = false;
            // The first phase due opens its window here; any other due with it is set back so that it
            // falls due p/Phases of a window later, which staggers the phases again.
            _lastFlush[p] = first ? timestamp : timestamp - _latencyMs + _latencyMs * p / Phases;
            first = false;
        }
    }
}
