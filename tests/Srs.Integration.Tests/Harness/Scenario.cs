using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// What one test runs: a node and the publishers/players it started. Every wait and check
/// fails with the node's log and each child's output; everything is killed on dispose, and the
/// same report goes to the test output.
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly List<FfmpegPublisher> _publishers = [];
    private readonly List<FfprobePlayer> _players = [];
    private readonly List<IAsyncDisposable> _others = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public NodeProcess Node { get; }
    public ApiClient Api => Node.Api;
    public NodePorts Ports => Node.Ports;

    private readonly bool _ownsNode;

    private Scenario(ITestOutputHelper output, NodeProcess node, bool ownsNode)
    {
        _output = output;
        Node = node;
        _ownsNode = ownsNode;
    }

    /// <summary>A scenario with a node of its own.</summary>
    public static async Task<Scenario> StartAsync(ITestOutputHelper output, string? extraConfig = null)
    {
        var node = await NodeProcess.StartAsync(extraConfig);
        return new Scenario(output, node, ownsNode: true);
    }

    /// <summary>A scenario on the class's shared node (which outlives it).</summary>
    public static async Task<Scenario> StartAsync(ITestOutputHelper output, SharedNode shared)
    {
        var node = await shared.GetAsync();
        if (node.HasExited)
            throw new Xunit.Sdk.XunitException($"The shared node exited earlier (code {node.ExitCode}), during another test of this class.\n{node.Describe()}");
        return new Scenario(output, node, ownsNode: false);
    }

    public FfmpegPublisher Publish(string stream, TimeSpan? duration = null, string? name = null)
    {
        var p = FfmpegPublisher.Start(Ports.RtmpUrl(stream), duration, name);
        lock (_publishers) _publishers.Add(p);
        return p;
    }

    public FfprobePlayer PlayRtmp(string stream, double? readSeconds = null, string? name = null) =>
        Track(FfprobePlayer.Start(Ports.RtmpUrl(stream), readSeconds, name));

    public FfprobePlayer PlayFlv(string stream, double? readSeconds = null, string? name = null) =>
        Track(FfprobePlayer.Start(Ports.FlvUrl(stream), readSeconds, name));

    private FfprobePlayer Track(FfprobePlayer player)
    {
        lock (_players) _players.Add(player);
        return player;
    }

    public T Own<T>(T disposable) where T : IAsyncDisposable
    {
        lock (_others) _others.Add(disposable);
        return disposable;
    }

    public Task Until(Func<bool> condition, TimeSpan timeout, string what) =>
        Until(() => Task.FromResult(condition()), timeout, what);

    public async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var started = _clock.Elapsed;
        await Eventually.Until(condition, timeout, what, Report);
        Note($"waited {(_clock.Elapsed - started).TotalSeconds:0.0} s for: {what}");
    }

    /// <summary>A timestamped line in the test output (how long each step took).</summary>
    public void Note(string line)
    {
        try { _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {line}"); } catch (InvalidOperationException) { }
    }

    /// <summary>Fails with <paramref name="what"/> and the full report unless <paramref name="condition"/> holds.</summary>
    public void Check(bool condition, string what)
    {
        if (!condition) throw new XunitException(what + "\n" + Report());
    }

    /// <summary>The node's log tail and each child's state and output.</summary>
    public string Report()
    {
        var sb = new StringBuilder();
        sb.AppendLine("===== node");
        sb.AppendLine(Node.Describe());
        List<FfmpegPublisher> publishers;
        List<FfprobePlayer> players;
        lock (_publishers) publishers = _publishers.ToList();
        lock (_players) players = _players.ToList();
        foreach (var p in publishers) sb.AppendLine("===== " + p.Describe(25));
        // Many players: show the first few in full, the rest as one line each.
        foreach (var (p, i) in players.Select((p, i) => (p, i)))
            sb.AppendLine(i < 6 ? "===== " + p.Describe(15) : $"===== {p.Process.Name}: {(p.HasExited ? $"exited {p.ExitCode}" : "running")}, {p.Summary()}");
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try { _output.WriteLine(Report()); } catch (InvalidOperationException) { /* no test running */ }
        List<IAsyncDisposable> all;
        lock (_publishers) lock (_players) lock (_others)
            all = [.. _others, .. _players, .. _publishers];
        await Task.WhenAll(all.Select(d => d.DisposeAsync().AsTask()));
        if (_ownsNode) await Node.DisposeAsync();
    }
}
