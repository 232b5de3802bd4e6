using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Srs.Protocol.Rtmp.Handshake;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// A bare TCP connection to the node's RTMP port for hostile or misbehaving clients: send any
/// bytes, do a real handshake (Srs.Protocol's HandshakeClient), stop reading, or wait for the
/// server to close.
/// </summary>
public sealed class RawRtmpConnection : IDisposable
{
    private readonly Socket _socket;

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

    /// <summary>C0C1 out, S0S1S2 in, C2 out. Bytes after S2 stay unread in the socket.</summary>
    public async Task HandshakeAsync(TimeSpan timeout)
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
        await SendAsync(output.WrittenSpan.ToArray());
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

    public void Dispose() => _socket.Dispose();
}
