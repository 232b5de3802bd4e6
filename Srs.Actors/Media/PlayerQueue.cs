namespace Srs.Actors.Media;

/// <summary>
/// The bounded queue between a source and one player's writer loop. The source appends (never
/// blocks); the writer drains everything queued into one merged send. When the media queued
/// spans more than the queue length, the queue is cleared and refills from the next keyframe,
/// so a slow player loses frames but never slows the publisher or the other players.
/// </summary>
public sealed class PlayerQueue(TimeSpan maxDuration, int maxPackets = 8192)
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private List<MediaPacket> _pending = new();
    private readonly uint _maxDurationMs = (uint)Math.Max(1, maxDuration.TotalMilliseconds);
    private bool _waitingForKeyframe;
    private bool _completed;
    private long _dropped;

    /// <summary>Packets thrown away because this player fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool IsCompleted { get { lock (_gate) return _completed; } }

    public void Enqueue(MediaPacket packet)
    {
        lock (_gate)
        {
            if (_completed) return;
            if (_waitingForKeyframe && !packet.IsHeader)
            {
                if (!packet.IsKeyframe) { _dropped++; return; }
                _waitingForKeyframe = false;
            }
            _pending.Add(packet);
            if (IsOverLimit()) DropToNextKeyframe();
        }
        Signal();
    }

    /// <summary>Ends the queue: the writer drains what is left, then sees completion.</summary>
    public void Complete()
    {
        lock (_gate) _completed = true;
        Signal();
    }

    /// <summary>
    /// Waits until something is queued or the queue completes. Returns false once completed and empty.
    /// </summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_pending.Count > 0) return true;
                if (_completed) return false;
            }
            await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Swaps the queued packets out into <paramref name="into"/> (which must be empty) in one step.</summary>
    public void DrainTo(ref List<MediaPacket> into)
    {
        lock (_gate) (_pending, into) = (into, _pending);
    }

    private bool IsOverLimit()
    {
        if (_pending.Count > maxPackets) return true;
        // Headers keep the timestamp they were published with (sequence headers and metadata: usually 0), so a
        // player that joins a stream older than the queue length gets them far behind the GOP cache: they are
        // not queued time. Only media spans it.
        var i = 0;
        while (i < _pending.Count && _pending[i].IsHeader) i++;
        if (i >= _pending.Count) return false;
        var first = _pending[i].Timestamp;
        var last = _pending[^1].Timestamp;
        return last > first && last - first > _maxDurationMs;
    }

    private void DropToNextKeyframe()
    {
        // Keep headers so the player can decode what comes after the next keyframe.
        var kept = 0;
        for (var i = 0; i < _pending.Count; i++)
        {
            var p = _pending[i];
            if (p.IsHeader) _pending[kept++] = p; else _dropped++;
        }
        _pending.RemoveRange(kept, _pending.Count - kept);
        _waitingForKeyframe = true;
    }

    private void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { /* raced with another signal: already set */ }
        }
    }
}
