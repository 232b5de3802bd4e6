namespace Srs.Bench.Server;

/// <summary>
/// A node process started on the configuration of a running one, for an upgrade in place: it is
/// returned once it serves, with how it got its listening sockets (taken over from the running
/// process over srs.upgrade-socket, or bound fresh) and when it said so.
/// </summary>
public sealed class UpgradedNode : IAsyncDisposable
{
    private UpgradedNode(NodeRunner runner, string startKind, TimeSpan tookOver)
    {
        Runner = runner;
        StartKind = startKind;
        TookOver = tookOver;
    }

    public NodeRunner Runner { get; }
    public int Pid => Runner.Pid;
    /// <summary>"took over N sockets" or "bound fresh".</summary>
    public string StartKind { get; }
    public bool TookOverSockets => StartKind.StartsWith("took over", StringComparison.Ordinal);
    /// <summary>From the process start to its line saying how it got its sockets.</summary>
    public TimeSpan TookOver { get; }
    public string Tail => Runner.Tail;

    /// <summary>Starts a node and waits until it serves (60 s at most: a loaded machine starts slowly).</summary>
    public static async Task<UpgradedNode> StartAsync(string node, string conf, string? logDir)
    {
        var runner = NodeRunner.Start(node, conf, logDir);
        var how = runner.WatchAsync("took over", "bound fresh");
        var serving = runner.WatchAsync(" serving: ");
        var exited = runner.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var tookOverAt = how.ContinueWith(_ => DateTime.UtcNow - runner.StartedAt, TaskScheduler.Default);
        if (await Task.WhenAny(serving, exited) != serving || !serving.IsCompleted)
        {
            var tail = runner.Tail;
            await runner.DisposeAsync();
            throw new InvalidOperationException($"the node did not start:\n{tail}");
        }
        var line = how.IsCompleted ? await how : "";
        var kind = line.Contains("took over", StringComparison.Ordinal) ? "took over " + Between(line, "took over ", " listening") + " sockets" : "bound fresh";
        return new UpgradedNode(runner, kind, how.IsCompleted ? await tookOverAt : TimeSpan.Zero);
    }

    public void Quit() => Runner.Quit();
    public Task<bool> WaitForExitAsync(TimeSpan deadline) => Runner.WaitForExitAsync(deadline);
    public ValueTask DisposeAsync() => Runner.DisposeAsync();

    private static string Between(string s, string from, string to)
    {
        var i = s.IndexOf(from, StringComparison.Ordinal);
        if (i < 0) return "?";
        i += from.Length;
        var j = s.IndexOf(to, i, StringComparison.Ordinal);
        return j < 0 ? "?" : s[i..j];
    }
}
