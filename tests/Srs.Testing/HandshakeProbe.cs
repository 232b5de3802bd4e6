using System.Net;
using System.Net.Sockets;

namespace Srs.Testing;

/// <summary>Opens an RTMP connection and completes a simple handshake (C0C1, S0S1S2, C2), then closes it.</summary>
public static class HandshakeProbe
{
    private const int HandshakeSize = 1536;

    /// <summary>Null on success, else what went wrong.</summary>
    public static async Task<string?> TryAsync(int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            var c0c1 = new byte[1 + HandshakeSize];
            c0c1[0] = 3;
            Random.Shared.NextBytes(c0c1.AsSpan(9));
            await s.SendAsync(c0c1, cts.Token);
            var s0s1s2 = new byte[1 + 2 * HandshakeSize];
            var got = 0;
            while (got < s0s1s2.Length)
            {
                var n = await s.ReceiveAsync(s0s1s2.AsMemory(got), cts.Token);
                if (n == 0) return $"closed after {got} handshake bytes";
                got += n;
            }
            await s.SendAsync(s0s1s2.AsMemory(1, HandshakeSize), cts.Token); // C2 echoes S1
            return null;
        }
        catch (SocketException e) { return e.SocketErrorCode.ToString(); }
        catch (OperationCanceledException) { return "timeout"; }
    }
}
