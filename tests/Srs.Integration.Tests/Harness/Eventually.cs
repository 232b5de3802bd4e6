using System.Diagnostics;
using Xunit.Sdk;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Polls a condition until it holds or a deadline passes: the only way tests wait for the
/// server. On timeout it fails with what was awaited and the diagnostics given.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static Task Until(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
        => Until(() => Task.FromResult(condition()), timeout, what, diagnostics);

    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception e) when (e is not XunitException)
            {
                last = e;
            }
            if (clock.Elapsed >= timeout)
                throw new XunitException(
                    $"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}"
                    + (last is null ? "" : $"\nLast error while checking: {last.GetType().Name}: {last.Message}")
                    + (diagnostics is null ? "" : "\n" + diagnostics()));
            await Task.Delay(Poll);
        }
    }
}
