using System.Diagnostics;
using System.Net;
using Xunit.Sdk;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// One real Srs.Node process on free ports: `dotnet Srs.Node.dll -c &lt;temp file&gt;` (or the native
/// build, see NodeBinary), started and awaited until /api/v1/health/ready answers 200. Its log
/// (stdout and stderr) is kept for failure messages. Disposing kills it.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    /// <summary>A Debug build starts in ~3 s idle but took 10 s with the 2 cores saturated.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly ChildProcess _process;
    private readonly string _workDir;

    public NodePorts Ports { get; }
    public string ConfigPath { get; }
    public string Config { get; }
    public ApiClient Api { get; }
    public LineLog Log => _process.Log;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.ExitCode;
    public ChildProcess Process => _process;
    /// <summary>The upgrade socket the node serves (srs.upgrade-socket = auto for its loopback RTMP listener).</summary>
    public string UpgradeSocket => $"/tmp/srs-upgrade-127.0.0.1-{Ports.Rtmp}.sock";

    private NodeProcess(ChildProcess process, string workDir, NodePorts ports, string configPath, string config)
    {
        _process = process;
        _workDir = workDir;
        Ports = ports;
        ConfigPath = configPath;
        Config = config;
        Api = new ApiClient(ports.ApiBase);
    }

    /// <summary>The test config: loopback listeners on free ports, a short idle timeout, plus <paramref name="extra"/> HOCON.</summary>
    public static string BuildConfig(NodePorts ports, string? extra = null) =>
        $$"""
        srs {
          rtmp.listen = "127.0.0.1:{{ports.Rtmp}}"
          http-api.listen = "127.0.0.1:{{ports.HttpApi}}"
          http-server.listen = "127.0.0.1:{{ports.HttpServer}}"
          source.idle-timeout = 3s
        }
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        {{extra ?? ""}}
        """;

    public static async Task<NodeProcess> StartAsync(string? extraConfig = null)
    {
        var ports = NodePorts.Pick();
        var workDir = Directory.CreateTempSubdirectory("srs-itest-").FullName;
        var configPath = Path.Combine(workDir, "node.conf");
        var config = BuildConfig(ports, extraConfig);
        await File.WriteAllTextAsync(configPath, config);

        var (fileName, arguments) = NodeBinary.Command("-c", configPath);
        var process = ChildProcess.Start($"node rtmp:{ports.Rtmp} api:{ports.HttpApi} http:{ports.HttpServer}",
            fileName, arguments, workingDirectory: workDir, logLines: 600);
        var node = new NodeProcess(process, workDir, ports, configPath, config);
        try
        {
            await node.WaitUntilReadyAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        string last = "no answer yet";
        while (clock.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(2));
                throw new XunitException($"The node exited with code {_process.ExitCode} before it was ready.\n{Describe()}");
            }
            try
            {
                var status = await Api.GetStatusAsync("api/v1/health/ready");
                if (status == HttpStatusCode.OK) return;
                last = $"HTTP {(int)status}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new XunitException($"The node was not ready within {ReadyTimeout.TotalSeconds} s (last: {last}).\n{Describe()}");
    }

    /// <summary>The node's command line, config and last log lines, for failure messages.</summary>
    public string Describe(int lines = 150) => $"{_process.Describe(lines)}\n--- config {ConfigPath}:\n{Config}";

    /// <summary>Sends a signal (e.g. SIGTERM) and waits for the exit; false when it is still running after the timeout.</summary>
    public async Task<bool> StopAsync(int signal, TimeSpan timeout)
    {
        _process.Signal(signal);
        return await _process.WaitForExitAsync(timeout);
    }

    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { /* best effort */ }
        // A killed node leaves its upgrade socket (srs.upgrade-socket = auto) behind; no other node uses these ports.
        try { File.Delete(UpgradeSocket); } catch (IOException) { /* best effort */ }
    }
}
