using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Handshake;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// A bare TCP connection to the node's RTMP port for hostile or misbehaving clients: send any
/// bytes, do a real handshake (Srs.Protocol's HandshakeClient), stop reading, or wait for the
/// server to close.
/// </summary>
public sealed class RawRtmpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly ChunkReader _chunks = new();
    private readonly List<string> _seen = [];
    private byte[] _pending = [];

    public Socket Socket => _socket;

    private RawRtmpConnection(Socket socket) => _socket = socket;

    /// <param name="receiveBufferSize">A small kernel receive buffer makes a client that stops reading push back quickly.</param>
    public static async Task<RawRtmpConnection> ConnectAsync(int port, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size) socket.ReceiveBufferSize = size;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return new RawRtmpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
    }

    /// <summary>
    /// C0C1 out, S0S1S2 in, C2 out (with <paramref name="afterC2"/> in the same write, as a
    /// client that does not wait does). Bytes after S2 stay unread in the socket.
    /// </summary>
    public async Task HandshakeAsync(TimeSpan timeout, byte[]? afterC2 = null)
    {
        var client = new HandshakeClient();
        var output = new ArrayBufferWriter<byte>();
        client.WriteC0C1(output);
        await SendAsync(output.WrittenSpan.ToArray());

        using var cts = new CancellationTokenSource(timeout);
        var received = new byte[1 + 1536 + 1536];
        var have = 0;
        while (have < received.Length)
        {
            var n = await _socket.ReceiveAsync(received.AsMemory(have), SocketFlags.None, cts.Token);
            if (n == 0) throw new IOException($"server closed the connection during the handshake after {have} bytes");
            have += n;
        }
        output.Clear();
        var input = new ReadOnlySequence<byte>(received);
        if (!client.TryAdvance(ref input, output))
            throw new IOException("handshake did not complete with a whole S0S1S2");
        await SendAsync([.. output.WrittenSpan, .. afterC2 ?? []]);
    }

    /// <summary>Bytes waiting unread in the kernel receive buffer.</summary>
    public int Available => _socket.Available;

    /// <summary>
    /// Reads and discards until the server closes (EOF or reset). Returns how long that took, or
    /// null when the connection was still open after <paramref name="timeout"/>.
    /// </summary>
    public async Task<TimeSpan?> WaitForServerCloseAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return clock.Elapsed;
            }
        }
        catch (SocketException)
        {
            return clock.Elapsed; // reset by the server
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The next whole message from the server (parsed with Srs.Protocol's ChunkReader).</summary>
    public async Task<RtmpMessage> ReadMessageAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            if (_pending.Length > 0)
            {
                var input = new ReadOnlySequence<byte>(_pending);
                var complete = _chunks.TryReadMessage(ref input, out var message);
                _pending = input.ToArray();
                if (complete) return message!;
            }
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0) throw new IOException("the server closed the connection; messages seen: " + SeenMessages);
            _pending = [.. _pending, .. buffer.AsSpan(0, n)];
        }
    }

    /// <summary>Reads messages until an AMF0 command matching <paramref name="match"/> arrives.</summary>
    public async Task<RtmpCommand> ReadCommandAsync(Func<RtmpCommand, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var m = await ReadMessageAsync(cts.Token);
                if (m.TypeId != RtmpChunks.CommandAmf0)
                {
                    _seen.Add($"type {m.TypeId} ({m.Length} bytes)");
                    continue;
                }
                var command = RtmpCommand.Parse(m.Payload.Span);
                _seen.Add(command.ToString());
                if (match(command)) return command;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching command within {timeout.TotalSeconds} s; messages seen: {SeenMessages}");
        }
    }

    /// <summary>connect to an app; returns the _result (or _error) for it.</summary>
    public async Task<RtmpCommand> ConnectAppAsync(int port, string app, TimeSpan timeout)
    {
        await SendAsync(RtmpChunks.Connect(app, $"rtmp://127.0.0.1:{port}/{app}", transactionId: 1));
        return await ReadCommandAsync(c => c.TransactionId == 1 && c.Name is "_result" or "_error", timeout);
    }

    /// <summary>createStream; returns the new message stream id.</summary>
    public async Task<uint> CreateStreamAsync(TimeSpan timeout)
    {
        await SendAsync(RtmpChunks.CreateStream(transactionId: 2));
        var reply = await ReadCommandAsync(c => c.TransactionId == 2 && c.Name is "_result" or "_error", timeout);
        return reply.Name == "_result" && reply.NumberArgument(0) is { } id
            ? (uint)id
            : throw new IOException($"createStream failed: {reply}; messages seen: {SeenMessages}");
    }

    /// <summary>publish (live); returns the first onStatus or _error that answers it.</summary>
    public async Task<RtmpCommand> PublishAsync(uint streamId, string name, TimeSpan timeout)
    {
        await SendAsync(RtmpChunks.Command(streamId, Amf0Bytes.String("publish"), Amf0Bytes.Number(5), Amf0Bytes.Null(),
            Amf0Bytes.String(name), Amf0Bytes.String("live")));
        return await ReadCommandAsync(c => c.Name is "onStatus" or "_error", timeout);
    }

    /// <summary>What the server sent so far (for failure messages).</summary>
    public string SeenMessages => _seen.Count == 0 ? "(none)" : string.Join(" | ", _seen);

    /// <summary>The "code" of an onStatus/_error info object (its first argument), or null.</summary>
    public static string? StatusCode(RtmpCommand command) =>
        command.Arguments.Count > 0 && command.Arguments[0] is Srs.Protocol.Amf.Amf0Object info ? info.GetString("code") : null;

    public void Dispose() => _socket.Dispose();
}
