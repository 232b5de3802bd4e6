using Srs.Actors.Connections;

namespace Srs.Actors.Media;

/// <summary>
/// Sends one player's queue to its connection. A flush runs on the thread that asks for it (the
/// source's, fanning a merged write out to every player) as long as the connection takes the
/// bytes at once, so a player that keeps up costs no task, no wake-up and no thread hop. When a
/// write cannot complete at once, the pump finishes it asynchronously and keeps draining from
/// there until the queue is empty; flushes asked for meanwhile are folded into that run.
/// </summary>
/// <remarks>
/// The gate is shared with everything else written on the connection (RTMP command replies), so
/// bytes of different writers never interleave; whoever releases it calls <see cref="TryRun"/>.
/// A batch holds at most <see cref="MaxBatchBytes"/> of payload, so a player that is behind never
/// holds more than that privately: the rest waits in its queue, which drops to the next keyframe.
/// </remarks>
public abstract class MediaPump
{
    public const int MaxBatchBytes = 256 * 1024;

    private readonly PlayerQueue _queue;
    private readonly WriteGate _gate;
    // Made only when asked for (HTTP-FLV awaits it; an RTMP player's pump calls OnStopped instead):
    // a task and its source are two more objects per player, for one event at the end.
    private TaskCompletionSource<string>? _ended;
    private string? _stopReason; // the first reason given to Stop
    private volatile bool _stopped; // set with _stopReason: a merged write checks it for every player
    private List<MediaPacket> _batch = new(); // used only while behind (Drain); a player that keeps up never fills it
    private int _requested;

    protected MediaPump(PlayerQueue queue, WriteGate gate)
    {
        _queue = queue;
        _gate = gate;
    }

    /// <summary>A pump that is the only writer on its connection: its gate guards nothing else.</summary>
    protected MediaPump(PlayerQueue queue) : this(queue, new WriteGate()) { }

    /// <summary>Completes with the reason the pump stopped: the queue ended, the connection failed, or <see cref="Stop"/>.</summary>
    public Task<string> Completion
    {
        get
        {
            var ended = Volatile.Read(ref _ended)
                ?? Interlocked.CompareExchange(ref _ended, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously), null)
                ?? _ended;
            // Stop sets its reason before it looks for the source: one of the two sees the other.
            if (Volatile.Read(ref _stopReason) is { } reason) ended.TrySetResult(reason);
            return ended.Task;
        }
    }

    /// <summary>Attaches to the queue and sends what it already holds (metadata, headers, the GOP cache).</summary>
    public void Start() => _queue.Attach(this);

    /// <summary>Stops sending; a write in progress still completes or fails.</summary>
    public void Stop(string reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, reason, null) is not null) return;
        _stopped = true;
        Volatile.Read(ref _ended)?.TrySetResult(reason);
        OnStopped(reason);
    }

    /// <summary>Called once, by the first <see cref="Stop"/>, on the thread that stops the pump (it may hold the gate).</summary>
    protected virtual void OnStopped(string reason) { }

    /// <summary>
    /// Starts, and completes with the reason the pump stopped once no write is in progress any more
    /// (the connection's output is the caller's again). Cancelling stops it with <paramref name="cancelled"/>.
    /// </summary>
    public async Task<string> RunAsync(string cancelled, CancellationToken ct)
    {
        string reason;
        using (ct.Register(() => Stop(cancelled)))
        {
            Start();
            reason = await Completion.ConfigureAwait(false);
        }
        await IdleAsync().ConfigureAwait(false);
        return reason;
    }

    /// <summary>
    /// After <see cref="Stop"/>: waits until no write is in progress and keeps it so, for a caller
    /// that must not let go of the connection's output (an HTTP response) while a write uses it.
    /// </summary>
    public Task IdleAsync() => _gate.EnterAsync();

    /// <summary>
    /// A source's merged write. When nothing is queued for this player and nobody is writing, the
    /// packets are written straight from the caller's window, without passing through the queue
    /// (and with <paramref name="sends"/>, as part of the caller's batch, see <see cref="SendBatch"/>);
    /// otherwise they are queued and a flush is requested.
    /// </summary>
    public void Deliver(ReadOnlySpan<MediaPacket> packets, SendBatch? sends = null)
    {
        if (!packets.IsEmpty && !_stopped && _queue.IsCaughtUp && _gate.TryEnter())
        {
            if (_queue.IsCaughtUp) // again, now that no drain can run
            {
                WriteDirect(packets, sends);
                return;
            }
            _gate.Release();
        }
        _queue.Enqueue(packets);
        RequestFlush();
    }

    private void WriteDirect(ReadOnlySpan<MediaPacket> packets, SendBatch? sends)
    {
        ValueTask write;
        try
        {
            if (sends is not null && TryWriteBatched(packets, sends)) return; // ended by EndDirectWrite
            write = WriteAsync(packets);
        }
        catch (Exception e)
        {
            write = ValueTask.FromException(e);
        }
        EndDirectWrite(write);
    }

    /// <summary>
    /// Writes as part of <paramref name="sends"/>: true when this pump took the write over and
    /// will call <see cref="EndDirectWrite"/> for it (with the gate held until then); false to
    /// write it with <see cref="WriteAsync"/> instead.
    /// </summary>
    protected virtual bool TryWriteBatched(ReadOnlySpan<MediaPacket> packets, SendBatch sends) => false;

    /// <summary>The end of a direct write: the gate is released now, or once the rest is written (or the write failed).</summary>
    protected void EndDirectWrite(ValueTask write)
    {
        if (!write.IsCompletedSuccessfully)
        {
            _ = ContinueAsync(write);
            return;
        }
        write.GetAwaiter().GetResult();
        _gate.Release();
        TryRun(); // a flush asked for meanwhile (the queue completing)
    }

    public void RequestFlush()
    {
        Volatile.Write(ref _requested, 1);
        TryRun();
    }

    /// <summary>Runs a requested flush if nobody else is writing; called again by whoever releases the gate.</summary>
    public void TryRun()
    {
        while (Volatile.Read(ref _requested) == 1 && !_stopped && _gate.TryEnter())
        {
            // Cleared before draining: a flush asked for from here on is served by the next round.
            Volatile.Write(ref _requested, 0);
            if (!Drain()) return; // went asynchronous: the continuation releases the gate
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes a batch. Returns a completed ValueTask when the connection took every byte at once;
    /// otherwise one that completes when the rest is written. The span is the caller's (a source's
    /// merge window, or the pump's batch): valid only during the call, never kept.
    /// </summary>
    protected abstract ValueTask WriteAsync(ReadOnlySpan<MediaPacket> batch);

    /// <summary>Why a write failed, for the log: the peer's side of a socket error, or an internal fault.</summary>
    protected virtual string Describe(Exception e) => ConnectionLost.Is(e)
        ? "player connection lost: " + e.Message
        : "internal error while sending media: " + e.Message;

    /// <summary>Sends until the queue is empty (true) or a write went asynchronous (false: the gate stays held).</summary>
    private bool Drain()
    {
        while (!_stopped)
        {
            _queue.DrainTo(ref _batch, MaxBatchBytes, out var finished);
            if (_batch.Count == 0)
            {
                if (finished) Stop("the stream's source stopped");
                return true;
            }
            ValueTask write;
            try
            {
                write = WriteAsync(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_batch));
            }
            catch (Exception e)
            {
                _batch.Clear();
                Stop(Describe(e));
                return true;
            }
            if (!write.IsCompletedSuccessfully)
            {
                _ = ContinueAsync(write);
                return false;
            }
            write.GetAwaiter().GetResult();
            ClearBatch();
        }
        return true;
    }

    /// <summary>Empties the batch; one grown by a burst (a new player's GOP) is let go rather than kept for good.</summary>
    private void ClearBatch()
    {
        if (_batch.Capacity > TrimAbove) _batch = new List<MediaPacket>(16);
        else _batch.Clear();
    }

    /// <summary>Lists grown past this many entries (a GOP burst) are replaced once empty: steady state needs a few.</summary>
    internal const int TrimAbove = 64;

    private async Task ContinueAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
            ClearBatch();
            if (!Drain()) return;
        }
        catch (Exception e)
        {
            _batch.Clear();
            Stop(Describe(e));
        }
        _gate.Release();
        TryRun();
    }
}
