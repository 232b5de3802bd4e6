namespace Srs.Actors.Media;

/// <summary>
/// The bounded queue between a source and one player's <see cref="MediaPump"/>. The source
/// appends (never blocks) and asks for a flush when a merged write is due; the pump drains what
/// is queued into one send. When the media queued spans more than the queue length, the queue is
/// cleared and refills from the next keyframe, so a slow player loses frames but never slows the
/// publisher or the other players.
/// </summary>
public sealed class PlayerQueue(TimeSpan maxDuration, int maxPackets = 8192)
{
    private readonly object _gate = new();
    private List<MediaPacket> _pending = new();
    private readonly uint _maxDurationMs = (uint)Math.Max(1, maxDuration.TotalMilliseconds);
    private volatile MediaPump? _pump;
    private bool _waitingForKeyframe;
    private bool _completed;
    private long _dropped;

    /// <summary>Packets thrown away because this player fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool IsCompleted { get { lock (_gate) return _completed; } }

    /// <summary>Queues a packet; nothing is sent until the next <see cref="Flush"/>.</summary>
    public void Enqueue(MediaPacket packet)
    {
        lock (_gate) Add(packet);
    }

    /// <summary>Queues packets in order, taking the lock once: a source's merged write.</summary>
    public void Enqueue(ReadOnlySpan<MediaPacket> packets)
    {
        lock (_gate)
            foreach (var p in packets) Add(p);
    }

    private void Add(MediaPacket packet)
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

    /// <summary>
    /// Asks the player's pump to send what is queued, on the calling thread when the connection
    /// takes it at once (see <see cref="MediaPump"/>). Before a pump is attached it does nothing: attaching flushes.
    /// </summary>
    public void Flush() => _pump?.RequestFlush(); // before Attach: nothing, attaching flushes

    /// <summary>
    /// The source's merged write: straight to the pump (which may send the packets without
    /// queueing them, see <see cref="MediaPump.Deliver"/>), or queued until a pump is attached.
    /// </summary>
    public void Deliver(ReadOnlySpan<MediaPacket> packets, SendBatch? sends = null)
    {
        if (_pump is { } pump) pump.Deliver(packets, sends);
        else Enqueue(packets);
    }

    /// <summary>
    /// Nothing queued, no drop to the next keyframe under way, not ended: new packets may bypass the
    /// queue. Read without the lock on the source's thread, the only one that adds packets; the pump
    /// checks it while holding its gate, so no drain runs meanwhile.
    /// </summary>
    internal bool IsCaughtUp => _pending.Count == 0 && !_waitingForKeyframe && !_completed;

    /// <summary>Ends the queue: the pump sends what is left, then sees completion.</summary>
    public void Complete()
    {
        lock (_gate) _completed = true;
        Flush();
    }

    /// <summary>Connects the pump that sends this queue; a flush asked for before runs now.</summary>
    internal void Attach(MediaPump pump)
    {
        lock (_gate)
        {
            if (_pump is not null) throw new InvalidOperationException("a player queue has one pump");
            _pump = pump;
        }
        pump.RequestFlush();
    }

    /// <summary>What is queued, oldest first, left in place (the source may be adding meanwhile).</summary>
    internal MediaPacket[] Snapshot()
    {
        lock (_gate) return _pending.ToArray();
    }

    /// <summary>
    /// Moves queued packets into <paramref name="into"/> (which must be empty), oldest first: all
    /// of them, or as many as fit in <paramref name="maxBytes"/> of payload (always at least one).
    /// </summary>
    public void DrainTo(ref List<MediaPacket> into, int maxBytes = int.MaxValue) => DrainTo(ref into, maxBytes, out _);

    /// <summary>As <see cref="DrainTo(ref List{MediaPacket}, int)"/>; <paramref name="finished"/>: nothing was left and the queue has ended.</summary>
    internal void DrainTo(ref List<MediaPacket> into, int maxBytes, out bool finished)
    {
        lock (_gate)
        {
            finished = _completed && _pending.Count == 0;
            var bytes = 0;
            var take = 0;
            while (take < _pending.Count && (take == 0 || bytes + _pending[take].Payload.Length <= maxBytes))
                bytes += _pending[take++].Payload.Length;
            if (take == _pending.Count)
            {
                (_pending, into) = (into, _pending);
                if (_pending.Capacity > MediaPump.TrimAbove) _pending = new List<MediaPacket>(16);
                return;
            }
            into.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[..take]);
            _pending.RemoveRange(0, take);
        }
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
}
