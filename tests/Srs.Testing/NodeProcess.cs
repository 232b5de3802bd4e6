using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace Srs.Testing;

/// <summary>
/// One real Srs.Node process on free loopback ports, with its stdout captured. Started with
/// Process.Start, so SIGINT and SIGQUIT keep their default disposition (a `cmd &` from a
/// non-interactive shell would ignore them). Killed on dispose if still running.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ITestOutputHelper? _log;
    private readonly string _confPath;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public int RtmpPort { get; }
    public int ApiPort { get; }
    public int HttpPort { get; }
    public int Pid => _process.Id;
    /// <summary>The upgrade socket a node on these ports serves by default (srs.upgrade-socket = auto).</summary>
    public string UpgradeSocket => $"/tmp/srs-upgrade-127.0.0.1-{RtmpPort}.sock";
    public DateTime? ExitedAt { get; private set; }

    private NodeProcess(Process process, string confPath, int rtmp, int api, int http, ITestOutputHelper? log)
    {
        _process = process;
        _confPath = confPath;
        RtmpPort = rtmp;
        ApiPort = api;
        HttpPort = http;
        _log = log;
    }

    /// <summary>
    /// Starts a node with <paramref name="extraConf"/> (HOCON inside `srs { }`) and
    /// <paramref name="rootConf"/> (HOCON at the root, e.g. akka.cluster keys) and waits until it is ready.
    /// </summary>
    /// <param name="signalsIgnored">Start it as a non-interactive shell's `cmd &amp;` does, with SIGINT and SIGQUIT ignored (the node re-executes itself to restore them).</param>
    public static async Task<NodeProcess> StartAsync(string extraConf, ITestOutputHelper? log = null, int[]? ports = null, string rootConf = "", bool signalsIgnored = false)
    {
        var node = await LaunchAsync(extraConf, log, ports, rootConf, signalsIgnored);
        var process = node._process;
        try
        {
            // Its own "serving" line, not only a 200: with reuseport another node may answer on these ports.
            await Poll.AssertAsync(async () => process.HasExited || (node.Output.Contains(" serving: ") && await node.ReadyStatusAsync() == 200), TimeSpan.FromSeconds(60),
                () => "node ready\n" + node.Output);
            Assert.False(process.HasExited, "node exited at start:\n" + node.Output);
            // Even when this test run inherited them ignored (`cmd &`), the node restores both at start.
            if (Posix.Ignores(process.Id, Posix.SIGINT) || Posix.Ignores(process.Id, Posix.SIGQUIT))
                Assert.Fail("the node ignores SIGINT/SIGQUIT: it should have restored their defaults at start\n" + node.Output);
            return node;
        }
        catch
        {
            // A node that did not come up must not outlive the test (it would hold its ports and a core).
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a node as <see cref="StartAsync"/> does, without waiting for it: for a start that is meant to fail.</summary>
    public static async Task<NodeProcess> LaunchAsync(string extraConf, ITestOutputHelper? log = null, int[]? ports = null, string rootConf = "", bool signalsIgnored = false)
    {
        var p = ports ?? FreePorts.Take(3);
        var conf = Path.Combine(Path.GetTempPath(), $"srs-shutdown-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(conf, $$"""
            srs {
              rtmp.listen = "127.0.0.1:{{p[0]}}"
              http-api.listen = "127.0.0.1:{{p[1]}}"
              http-server.listen = "127.0.0.1:{{p[2]}}"
              {{extraConf}}
            }
            {{rootConf}}
            """);
        var (fileName, prefix) = NodeBinary.Command;
        var psi = new ProcessStartInfo(signalsIgnored ? "/bin/sh" : fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (signalsIgnored)
        {
            // exec: the shell becomes the node (same pid), with both signals ignored as it inherits them.
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("trap '' INT QUIT; exec \"$@\"");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(fileName);
        }
        foreach (var arg in prefix) psi.ArgumentList.Add(arg);
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var node = new NodeProcess(process, conf, p[0], p[1], p[2], log);
        StartedSockets.TryAdd(node.UpgradeSocket, 0);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) node._output.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) node._output.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} [stderr] {e.Data}"); };
        process.Exited += (_, _) => node.ExitedAt ??= DateTime.UtcNow;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public string Output => string.Join('\n', _output);

    /// <summary>How many times <paramref name="what"/> occurs in the output so far (e.g. a log line per client).</summary>
    public int CountInOutput(string what)
    {
        var text = Output;
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>GET on this node's HTTP API, parsed; null when the API does not answer 200.</summary>
    public async Task<System.Text.Json.JsonElement?> GetJsonAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync($"http://127.0.0.1:{ApiPort}{path}");
            if (!response.IsSuccessStatusCode) return null;
            using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return doc.RootElement.Clone();
        }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public void Signal(int sig) => Posix.Signal(_process.Id, sig);

    /// <summary>Waits for the process to exit; returns when it did, or null past the deadline.</summary>
    public async Task<DateTime?> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { return null; }
        return ExitedAt ?? DateTime.UtcNow;
    }

    public async Task<int> ReadyStatusAsync()
    {
        try
        {
            using var r = await _http.GetAsync($"http://127.0.0.1:{ApiPort}/api/v1/health/ready");
            return (int)r.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return -1; }
    }

    /// <summary>The "shutdown" object of /api/v1/summaries (the phase and this process's clients), or null if the API is gone.</summary>
    public async Task<(string Phase, int Clients)?> ShutdownStateAsync()
    {
        try
        {
            using var doc = JsonDocument.Parse(await _http.GetStringAsync($"http://127.0.0.1:{ApiPort}/api/v1/summaries"));
            var s = doc.RootElement.GetProperty("data").GetProperty("shutdown");
            return (s.GetProperty("phase").GetString()!, s.GetProperty("clients").GetInt32());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    /// <summary>Whether stream <paramref name="name"/> has an active publisher with its video header seen.</summary>
    public async Task<bool> IsPublishedAsync(string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(await _http.GetStringAsync($"http://127.0.0.1:{ApiPort}/api/v1/streams"));
            return doc.RootElement.GetProperty("streams").EnumerateArray().Any(s =>
                s.GetProperty("name").GetString() == name && s.GetProperty("publish").GetProperty("active").GetBoolean()
                && s.GetProperty("video").ValueKind == JsonValueKind.Object);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    /// <summary>An unlabelled sample from /metrics (Prometheus text), e.g. srs_bytes_sent_total; null when absent or unanswered.</summary>
    public async Task<double?> MetricAsync(string name)
    {
        try
        {
            var text = await _http.GetStringAsync($"http://127.0.0.1:{ApiPort}/metrics");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    /// <summary>This process's clients (the "clients" of /api/v1/summaries' "shutdown"), or -1 if the API is gone.</summary>
    public async Task<int> ClientCountAsync() => (await ShutdownStateAsync())?.Clients ?? -1;

    /// <summary>Whether a TCP connect to the port is refused (nothing listens).</summary>
    public static async Task<bool> RefusesAsync(int port)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused) { return true; }
        // Reset: this probe sat in the accept queue as the listener closed; the next one will know.
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return false; }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>Whether nothing listens on the Unix socket <paramref name="path"/> (a stale file).</summary>
    private static bool RefusesUnix(string path)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(path));
            return false;
        }
        catch (SocketException) { return true; }
    }

    /// <summary>
    /// The upgrade socket paths of the nodes this test process started: a node killed (at dispose, or
    /// by a test with SIGKILL) leaves its socket file behind; dispose removes it, and so does the exit
    /// of the test process for a node never disposed.
    /// </summary>
    private static readonly ConcurrentDictionary<string, byte> StartedSockets = RemovedAtExit();

    private static ConcurrentDictionary<string, byte> RemovedAtExit()
    {
        var paths = new ConcurrentDictionary<string, byte>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { foreach (var path in paths.Keys) RemoveStaleSocket(path); };
        return paths;
    }

    /// <summary>Deletes the socket file at <paramref name="path"/> when nothing listens behind it
    /// (a node on the same ports that took it over keeps it).</summary>
    private static void RemoveStaleSocket(string path)
    {
        try { if (File.Exists(path) && RefusesUnix(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        // Killed now or earlier (SIGKILL in a test), the node left its upgrade socket file behind.
        RemoveStaleSocket(UpgradeSocket);
        _log?.WriteLine($"--- node output (pid {_process.Id}) ---\n{Output}");
        _process.Dispose();
        _http.Dispose();
        File.Delete(_confPath);
    }
}
