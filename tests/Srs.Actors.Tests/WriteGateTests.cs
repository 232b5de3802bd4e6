using Srs.Actors.Media;

namespace Srs.Actors.Tests;

public class WriteGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryEnter_TakesAFreeGateOnce_AndReleaseFreesIt()
    {
        var gate = Held();
        Assert.False(gate.TryEnter());
        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task Waiters_GetTheGate_OneAtATime_InTheOrderTheyCame()
    {
        var gate = Held();
        var first = gate.EnterAsync();
        var second = gate.EnterAsync();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        gate.Release();
        await first.WaitAsync(Patience);
        Assert.False(second.IsCompleted);
        Assert.False(gate.TryEnter()); // handed to the first waiter, not freed

        gate.Release();
        await second.WaitAsync(Patience);
        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task ACancelledWaiter_IsSkipped_AndTheNextOneGetsTheGate()
    {
        var gate = Held();
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cts.Token);
        var next = gate.EnterAsync();

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        Assert.False(next.IsCompleted);

        gate.Release();
        await next.WaitAsync(Patience);
        Assert.False(gate.TryEnter());
    }

    [Fact]
    public void AnAlreadyCancelledToken_FailsAtOnce_AndTheGateStaysWithItsHolder()
    {
        var gate = Held();
        var wait = gate.EnterAsync(new CancellationToken(canceled: true));
        Assert.True(wait.IsCanceled);
        Assert.False(gate.TryEnter()); // still held
        gate.Release();
        Assert.True(gate.TryEnter()); // not handed to the cancelled waiter
    }

    [Fact]
    public async Task UnderContention_OneHolderAtATime_AndNoWaiterIsLost()
    {
        // Synchronous takers (as a source's flush) race asynchronous waiters (as command replies):
        // at no time may two hold the gate, and every waiter must get it in the end.
        var gate = new WriteGate();
        var holders = 0;
        var maxHolders = 0;
        var entered = 0;

        void Hold()
        {
            var now = Interlocked.Increment(ref holders);
            InterlockedMax(ref maxHolders, now);
            Thread.SpinWait(20);
            Interlocked.Decrement(ref holders);
            Interlocked.Increment(ref entered);
            gate.Release();
        }

        async Task Waiter(int rounds)
        {
            for (var i = 0; i < rounds; i++)
            {
                await gate.EnterAsync();
                Hold();
            }
        }

        void Taker(int rounds)
        {
            var taken = 0;
            while (taken < rounds)
            {
                if (!gate.TryEnter()) { Thread.Yield(); continue; }
                Hold();
                taken++;
            }
        }

        const int Rounds = 2_000;
        var tasks = new List<Task>();
        for (var i = 0; i < 4; i++) tasks.Add(Task.Run(() => Waiter(Rounds)));
        for (var i = 0; i < 2; i++) tasks.Add(Task.Run(() => Taker(Rounds)));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, maxHolders);
        Assert.Equal(6 * Rounds, entered);
        Assert.True(gate.TryEnter()); // left free
    }

    [Fact]
    public async Task AWaiterQueuedJustAsTheGateIsReleased_StillGetsIt()
    {
        // The last release can fall between a waiter's failed TryEnter and its queueing: the
        // releaser sees nobody waiting, and nobody releases after it. Only the waiter's own check
        // after queueing then gives it the gate. Many tries, each released by another thread at
        // the moment the waiter asks, so some land in that window.
        const int Tries = 20_000;
        var gates = Enumerable.Range(0, Tries).Select(_ => Held()).ToArray();
        var waits = new Task[Tries];
        using var together = new Barrier(2);
        var releaser = new Thread(() =>
        {
            foreach (var gate in gates)
            {
                together.SignalAndWait();
                gate.Release();
            }
        });
        releaser.Start();
        for (var i = 0; i < Tries; i++)
        {
            together.SignalAndWait();
            waits[i] = gates[i].EnterAsync();
        }
        releaser.Join();
        await Task.WhenAny(Task.WhenAll(waits), Task.Delay(TimeSpan.FromSeconds(5))); // every gate is free: only a lost waiter is still waiting
        var lost = waits.Count(w => !w.IsCompleted);
        Assert.True(lost == 0, $"{lost} of {Tries} waiters never got a gate that was free");
    }

    /// <summary>A gate some writer holds (as a command reply or a flush in progress).</summary>
    private static WriteGate Held()
    {
        var gate = new WriteGate();
        Assert.True(gate.TryEnter());
        return gate;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}
