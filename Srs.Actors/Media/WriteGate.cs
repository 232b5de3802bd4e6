namespace Srs.Actors.Media;

/// <summary>
/// The lock on one connection's output, held by whoever writes to it: the media pump (from a
/// source's thread, synchronously) or the command writer (asynchronously). A source takes and
/// gives back the gate of every player at each merged write, so a free gate costs one atomic
/// operation each way and touches nothing but its own fields; only a writer that has to wait
/// uses the queue and its lock.
/// </summary>
/// <remarks>
/// Waiters are served in order. A free gate may be taken by <see cref="TryEnter"/> ahead of
/// queued waiters; whoever takes it that way hands it on when releasing it.
/// </remarks>
public sealed class WriteGate
{
    private sealed class Waiter() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public CancellationTokenRegistration Registration;
    }

    private readonly Queue<Waiter> _waiters = new(); // also the lock of the slow path
    private int _held;
    private int _waiting; // queued waiters, cancelled ones included until they are dequeued

    /// <summary>Takes the gate if it is free.</summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _held, 1, 0) == 0;

    /// <summary>Takes the gate, waiting for it in order if it is held.</summary>
    public Task EnterAsync(CancellationToken ct = default) => TryEnter() ? Task.CompletedTask : Wait(ct);

    /// <summary>Gives the gate back, to the oldest waiter if there is one.</summary>
    public void Release()
    {
        // Full fences on both sides: either a waiter that just queued sees the gate free, or this sees it waiting.
        Interlocked.Exchange(ref _held, 0);
        if (Volatile.Read(ref _waiting) > 0) HandOn();
    }

    private Task Wait(CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled(ct);
        var waiter = new Waiter();
        if (ct.CanBeCanceled) // before it is queued, so whoever dequeues it can dispose of the registration
            waiter.Registration = ct.Register(static (w, token) => ((Waiter)w!).TrySetCanceled(token), waiter);
        lock (_waiters)
        {
            _waiters.Enqueue(waiter);
            Interlocked.Increment(ref _waiting);
        }
        if (Volatile.Read(ref _held) == 0) HandOn(); // released before this waiter was queued
        return waiter.Task;
    }

    private void HandOn()
    {
        lock (_waiters)
        {
            while (_waiters.Count > 0)
            {
                if (!TryEnter()) return; // taken meanwhile: its holder hands it on
                var next = _waiters.Dequeue();
                Interlocked.Decrement(ref _waiting);
                next.Registration.Dispose();
                if (next.TrySetResult()) return; // the gate is next's now
                Interlocked.Exchange(ref _held, 0); // next was cancelled: try the one after it
            }
        }
    }
}
