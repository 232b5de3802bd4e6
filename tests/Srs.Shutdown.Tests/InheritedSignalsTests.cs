using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>
/// A node started with SIGINT and SIGQUIT ignored (a script's `cmd &amp;`, nohup) re-executes itself
/// with their defaults restored (InheritedSignals): SIGQUIT then quits it gracefully, and the .NET
/// diagnostics tools can still attach to it.
/// </summary>
public sealed class InheritedSignalsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_started_with_signals_ignored_serves_diagnostics_and_quits_on_sigquit()
    {
        await using var node = await NodeProcess.StartAsync("grace-start-wait = 300ms\n grace-final-wait = 300ms", output, signalsIgnored: true);

        // StartAsync has checked neither signal is ignored any more; the diagnostics socket must answer.
        var reply = await ProcessInfoAsync(node.Pid);
        Assert.True(reply == (0xFF, 0x00), $"diagnostics ProcessInfo answered commandset 0x{reply.Set:X2} id 0x{reply.Id:X2}, expected 0xFF 0x00 (OK)");

        node.Signal(Posix.SIGQUIT);
        Assert.NotNull(await node.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("Graceful quit", node.Output);
    }

    /// <summary>
    /// The diagnostics IPC protocol's ProcessInfo command (what dotnet-counters, -trace and -gcdump
    /// send first) on the runtime's socket; returns the reply header's command set and id.
    /// </summary>
    private static async Task<(byte Set, byte Id)> ProcessInfoAsync(int pid)
    {
        var folder = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        var sockets = Directory.GetFiles(folder, $"dotnet-diagnostic-{pid}-*-socket");
        Assert.True(sockets.Length == 1, $"one diagnostics socket for pid {pid}, found: {string.Join(", ", sockets)}");

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(sockets[0]), timeout.Token);
        var request = new byte[20];
        Encoding.ASCII.GetBytes("DOTNET_IPC_V1\0").CopyTo(request, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(14), 20);
        request[16] = 0x04; // command set: Process
        request[17] = 0x00; // command: ProcessInfo
        await socket.SendAsync(request, SocketFlags.None, timeout.Token);

        var header = new byte[20];
        for (var got = 0; got < header.Length;)
        {
            var n = await socket.ReceiveAsync(header.AsMemory(got), SocketFlags.None, timeout.Token);
            if (n == 0) throw new IOException($"the diagnostics socket closed after {got} bytes");
            got += n;
        }
        Assert.Equal("DOTNET_IPC_V1\0", Encoding.ASCII.GetString(header, 0, 14));
        return (header[16], header[17]);
    }
}
