using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Srs.Protocol.Rtmp.Handshake;

namespace Srs.Bench.Rtmp;

/// <summary>
/// Connection load: tasks each opening a TCP connection, completing the RTMP handshake (the
/// project's own client: C0C1, S0S1S2, C2) and closing it, back to back. Every attempt counts;
/// a failure is a refused or reset connection, a timeout, or a server that closed mid-handshake.
/// </summary>
public sealed class HandshakeLoad
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private const int C0C1Size = 1 + 1536;
    private const int S0S1S2Size = 1 + 2 * 1536;

    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private readonly ConcurrentQueue<(double StartMs, DateTime At, string Error)> _failed = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _attempts;
    private long _failures;

    public HandshakeLoad(IPEndPoint target) => _target = target;

    public long Attempts => Interlocked.Read(ref _attempts);
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Failures by kind so far (ConnectionReset, ConnectionRefused, timeout, ...).</summary>
    public IReadOnlyDictionary<string, int> Errors => _errors;

    /// <summary>Milliseconds on the clock failures are stamped with.</summary>
    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    /// <summary>Every failure so far with when its attempt started (<see cref="NowMs"/>).</summary>
    public IReadOnlyCollection<(double StartMs, DateTime At, string Error)> Failed => _failed;

    /// <summary>Runs <paramref name="connectors"/> tasks until <paramref name="ct"/> is cancelled.</summary>
    public Task RunAsync(int connectors, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, connectors).Select(_ => Task.Run(() => ConnectorAsync(ct), CancellationToken.None)));

    private async Task ConnectorAsync(CancellationToken ct)
    {
        var s0s1s2 = new byte[S0S1S2Size];
        var output = new ArrayBufferWriter<byte>(C0C1Size);
        while (!ct.IsCancellationRequested)
        {
            var started = NowMs;
            var error = await AttemptAsync(s0s1s2, output, ct);
            if (ct.IsCancellationRequested && error is not null) return; // cut short by the end of the run: not counted
            Interlocked.Increment(ref _attempts);
            if (error is null) continue;
            Interlocked.Increment(ref _failures);
            _errors.AddOrUpdate(error, 1, (_, n) => n + 1);
            _failed.Enqueue((started, DateTime.UtcNow, error));
        }
    }

    private async Task<string?> AttemptAsync(byte[] s0s1s2, ArrayBufferWriter<byte> output, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(AttemptTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var step = "connect";
        try
        {
            await socket.ConnectAsync(_target, timeout.Token);
            var client = new HandshakeClient();
            output.Clear();
            client.WriteC0C1(output);
            step = "C0C1";
            await socket.SendAsync(output.WrittenMemory, SocketFlags.None, timeout.Token);
            step = "S0S1S2";
            var got = 0;
            while (got < s0s1s2.Length)
            {
                var n = await socket.ReceiveAsync(s0s1s2.AsMemory(got), SocketFlags.None, timeout.Token);
                if (n == 0) return "closed mid-handshake";
                got += n;
            }
            var input = new ReadOnlySequence<byte>(s0s1s2);
            output.Clear();
            if (!client.TryAdvance(ref input, output)) return "bad handshake";
            step = "C2";
            await socket.SendAsync(output.WrittenMemory, SocketFlags.None, timeout.Token);
            return null;
        }
        // Where it failed tells refused/reset in the accept queue (at connect or the first read) from later trouble.
        catch (SocketException e) { return $"{e.SocketErrorCode} at {step}"; }
        catch (OperationCanceledException) { return $"timeout at {step}"; }
        catch (Srs.Protocol.Rtmp.RtmpProtocolException e) { return "bad handshake: " + e.Message; }
    }
}
