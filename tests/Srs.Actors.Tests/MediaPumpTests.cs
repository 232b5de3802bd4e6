using Srs.Actors.Media;

namespace Srs.Actors.Tests;

public class MediaPumpTests
{
    /// <summary>Records each batch; a write completes at once unless <see cref="Hold"/> makes the next one wait.</summary>
    private sealed class RecordingPump(PlayerQueue queue, WriteGate gate) : MediaPump(queue, gate)
    {
        public readonly List<MediaPacket[]> Batches = new();
        public TaskCompletionSource? Held;
        public Exception? Fail;
        public readonly SemaphoreSlim Written = new(0);

        public void Hold() => Held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override ValueTask WriteAsync(ReadOnlySpan<MediaPacket> batch)
        {
            if (Fail is not null) throw Fail;
            Batches.Add(batch.ToArray());
            Written.Release();
            return Held is { } held ? new ValueTask(held.Task) : ValueTask.CompletedTask;
        }
    }

    private static (PlayerQueue, RecordingPump) Create(WriteGate? gate = null)
    {
        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        return (queue, new RecordingPump(queue, gate ?? new WriteGate()));
    }

    [Fact]
    public void NothingIsSent_UntilAFlush_ThenOneBatchOnTheCallersThread()
    {
        var (queue, pump) = Create();
        queue.Enqueue(Packets.VideoHeader());
        queue.Flush(); // no pump yet: attaching sends it
        pump.Start();
        Assert.Single(pump.Batches);

        var a = Packets.Audio(20);
        var v = Packets.Frame(40);
        queue.Enqueue(a);
        queue.Enqueue(v);
        Assert.Single(pump.Batches);
        queue.Flush();
        Assert.Equal(2, pump.Batches.Count);
        Assert.Equal(new[] { a, v }, pump.Batches[1]);
    }

    [Fact]
    public async Task FlushesDuringASlowWrite_AreFoldedIntoTheNextBatch()
    {
        var (queue, pump) = Create();
        pump.Start();
        pump.Hold();
        queue.Enqueue(Packets.Keyframe(0));
        queue.Flush(); // the socket is full: this write goes asynchronous
        var held = pump.Held!;
        pump.Held = null;

        var more = new[] { Packets.Audio(20), Packets.Frame(40), Packets.Frame(80) };
        foreach (var p in more) { queue.Enqueue(p); queue.Flush(); }
        Assert.Single(pump.Batches); // nothing more while the write is in progress

        Assert.True(pump.Written.Wait(0));
        held.SetResult();
        Assert.True(await pump.Written.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(more, pump.Batches[1]);
    }

    [Fact]
    public async Task ACommandHoldingTheGate_DelaysTheFlush_UntilItIsReleased()
    {
        var gate = new WriteGate();
        var (queue, pump) = Create(gate);
        pump.Start();
        await gate.EnterAsync(); // a command reply is being written
        queue.Enqueue(Packets.Keyframe(0));
        queue.Flush();
        Assert.Empty(pump.Batches);
        gate.Release();
        pump.TryRun(); // what the command writer does after releasing
        Assert.Single(pump.Batches);
    }

    [Fact]
    public async Task Deliver_WritesACaughtUpPlayerDirectly_AndQueuesBehindAWriteInProgress()
    {
        var (queue, pump) = Create();
        pump.Start();
        var window = new[] { Packets.Keyframe(0), Packets.Audio(20) };
        queue.Deliver(window);
        Assert.Equal(window, pump.Batches.Single());

        pump.Hold();
        var next = new[] { Packets.Frame(40), Packets.Audio(60) };
        queue.Deliver(next); // the socket is full: asynchronous
        var held = pump.Held!;
        pump.Held = null;
        var later = new[] { Packets.Frame(80) };
        queue.Deliver(later); // a write is in progress: queued, not written
        Assert.Equal(2, pump.Batches.Count);

        Assert.True(pump.Written.Wait(0) && pump.Written.Wait(0));
        held.SetResult();
        Assert.True(await pump.Written.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(later, pump.Batches[2]);
    }

    [Fact]
    public void Deliver_ToAPlayerDroppingToTheNextKeyframe_GoesThroughTheQueue()
    {
        var queue = new PlayerQueue(TimeSpan.FromMilliseconds(100));
        var pump = new RecordingPump(queue, new WriteGate());
        queue.Enqueue(Packets.Keyframe(0));
        queue.Enqueue(Packets.Frame(200)); // more than 100 ms queued: dropped, waiting for a keyframe
        pump.Start();
        Assert.Empty(pump.Batches);

        queue.Deliver(new[] { Packets.Frame(240), Packets.Audio(250) });
        Assert.Empty(pump.Batches); // not a keyframe: still dropped, not written past the queue
        var key = Packets.Keyframe(280);
        queue.Deliver(new[] { key });
        Assert.Equal(new[] { key }, pump.Batches.Single());
    }

    [Fact]
    public async Task CompletedQueue_IsSentToTheEnd_ThenThePumpStops()
    {
        var (queue, pump) = Create();
        pump.Start();
        queue.Enqueue(Packets.Keyframe(0));
        queue.Complete();
        Assert.Equal("the stream's source stopped", await pump.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(pump.Batches);
    }

    [Fact]
    public async Task AFailedWrite_StopsThePump_WithTheReason()
    {
        var (queue, pump) = Create();
        pump.Start();
        pump.Fail = new IOException("Broken pipe");
        queue.Enqueue(Packets.Keyframe(0));
        queue.Flush();
        Assert.Equal("player connection lost: Broken pipe", await pump.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        pump.Fail = null;
        queue.Enqueue(Packets.Frame(40));
        queue.Flush();
        Assert.Empty(pump.Batches);
    }

    [Fact]
    public async Task IdleAsync_WaitsForTheWriteInProgress()
    {
        var (queue, pump) = Create();
        pump.Start();
        pump.Hold();
        queue.Enqueue(Packets.Keyframe(0));
        queue.Flush();
        pump.Stop("kicked");
        var idle = pump.IdleAsync();
        Assert.False(idle.IsCompleted);
        pump.Held!.SetResult();
        await idle.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("kicked", await pump.Completion);
    }
}
