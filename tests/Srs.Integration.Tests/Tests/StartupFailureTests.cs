using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Srs.Integration.Tests.Harness;

namespace Srs.Integration.Tests.Tests;

/// <summary>Section 1: startup failures (port in use, unreadable config) print a clear line and exit non-zero within a few seconds.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private static readonly TimeSpan FewSeconds = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("srs-itest-startup-");

    private async Task<(int Code, string Output, TimeSpan Took)> RunNode(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var (fileName, arguments) = NodeBinary.Command(args);
        await using var node = ChildProcess.Start("Srs.Node " + string.Join(' ', args), fileName, arguments, _dir.FullName);
        var exited = await node.WaitForExitAsync(FewSeconds);
        Assert.True(exited, $"the node should give up and exit within {FewSeconds.TotalSeconds} s\n{node.Describe()}");
        return (node.ExitCode!.Value, node.Log.Tail(200), clock.Elapsed);
    }

    [Fact]
    public async Task Rtmp_port_in_use_exits_non_zero_naming_the_address()
    {
        // A plain listener (no SO_REUSEPORT), so the node cannot share the port even with reuseport = on.
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        var taken = ((IPEndPoint)blocker.LocalEndPoint!).Port;
        var ports = NodePorts.Pick() with { Rtmp = taken };
        var conf = Path.Combine(_dir.FullName, "busy.conf");
        await File.WriteAllTextAsync(conf, NodeProcess.BuildConfig(ports));

        var (code, output, took) = await RunNode("-c", conf);

        Assert.True(code != 0, $"exit code should be non-zero, was {code}. Output:\n{output}");
        Assert.True(output.Contains(taken.ToString()), $"the error should name the busy address (port {taken}). Output:\n{output}");
        Assert.True(took < FewSeconds, $"took {took.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Missing_config_file_exits_non_zero_naming_the_file()
    {
        var missing = Path.Combine(_dir.FullName, "no-such.conf");

        var (code, output, _) = await RunNode("-c", missing);

        Assert.True(code != 0, $"exit code should be non-zero, was {code}. Output:\n{output}");
        Assert.True(output.Contains("no-such.conf"), $"the error should name the file. Output:\n{output}");
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
