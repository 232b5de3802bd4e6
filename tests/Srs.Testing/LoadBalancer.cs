using System.Diagnostics;

namespace Srs.Testing;

/// <summary>
/// A real TCP load balancer (Debian's haproxy) in front of RTMP ports, as production puts one in
/// front of origins: new connections go to the first backend that passes its health check (a TCP
/// connect every 200 ms), and a connection refused is retried on another. Stopped and its files
/// removed on dispose.
/// </summary>
public sealed class LoadBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly List<string> _output = [];

    public int Port { get; }
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    private LoadBalancer(Process process, string dir, int port) => (_process, _dir, Port) = (process, dir, port);

    /// <summary>Starts haproxy on a free loopback port, balancing over <paramref name="backendPorts"/> in order; returns once it accepts.</summary>
    public static async Task<LoadBalancer> StartAsync(params int[] backendPorts)
    {
        var port = FreePorts.Take(1)[0];
        var dir = Directory.CreateTempSubdirectory("srs-lb-").FullName;
        var servers = string.Join('\n', backendPorts.Select((p, i) => $"    server s{i} 127.0.0.1:{p} check inter 200ms fall 1 rise 2"));
        var conf = Path.Combine(dir, "haproxy.cfg");
        await File.WriteAllTextAsync(conf, $"""
            global
                maxconn 1000
            defaults
                mode tcp
                timeout connect 2s
                timeout client 1h
                timeout server 1h
                retries 3
                option redispatch
            frontend rtmp
                bind 127.0.0.1:{port}
                default_backend origins
            backend origins
                balance first
            {servers}

            """);
        var psi = new ProcessStartInfo("haproxy") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-db", "-f", conf }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("haproxy did not start (apt-get install -y haproxy)");
        var lb = new LoadBalancer(process, dir, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lb._output) lb._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lb._output) lb._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!await Poll.UntilAsync(async () => process.HasExited || await HandshakeProbe.TryAsync(port, TimeSpan.FromSeconds(1)) is null, TimeSpan.FromSeconds(10))
            || process.HasExited)
        {
            await lb.DisposeAsync();
            throw new InvalidOperationException("haproxy does not accept on its port:\n" + lb.Output);
        }
        return lb;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
