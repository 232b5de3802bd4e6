namespace Srs.Bench.Rtmp;

/// <summary>Live totals over all publishers, for the progress line (updated with Interlocked).</summary>
public sealed class PublishCounters
{
    private long _frames;
    private long _bytes;
    private long _active;
    private long _finished;
    private long _failed;
    private long _moves;
    private long _failedMoves;

    public long Frames => Interlocked.Read(ref _frames);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Active => Interlocked.Read(ref _active);
    public long Finished => Interlocked.Read(ref _finished);
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Publishers moved to another connection after a reconnect request (a node upgraded in place).</summary>
    public long Moves => Interlocked.Read(ref _moves);
    /// <summary>Moves that failed: the publish went on where it was.</summary>
    public long FailedMoves => Interlocked.Read(ref _failedMoves);

    public void OnFrame(int bytes)
    {
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void OnMoved() => Interlocked.Increment(ref _moves);

    public void OnMoveFailed() => Interlocked.Increment(ref _failedMoves);

    public void OnStarted() => Interlocked.Increment(ref _active);

    public void OnEnded(bool ok)
    {
        Interlocked.Decrement(ref _active);
        Interlocked.Increment(ref ok ? ref _finished : ref _failed);
    }
}
