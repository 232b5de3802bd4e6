using System.Diagnostics;

namespace Srs.Testing;

/// <summary>Waiting for a condition with a deadline: tests poll, they never sleep to synchronise.</summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls until <paramref name="condition"/> holds; false when the deadline passes first.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan deadline)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return true;
            if (watch.Elapsed > deadline) return false;
            await Task.Delay(Interval);
        }
    }

    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan deadline) =>
        UntilAsync(() => Task.FromResult(condition()), deadline);

    public static async Task AssertAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> what)
    {
        if (!await UntilAsync(condition, deadline)) Assert.Fail($"not within {deadline.TotalMilliseconds:F0} ms: {what()}");
    }

    public static Task AssertAsync(Func<bool> condition, TimeSpan deadline, Func<string> what) =>
        AssertAsync(() => Task.FromResult(condition()), deadline, what);
}
