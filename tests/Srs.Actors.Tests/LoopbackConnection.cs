using System.Net;
using System.Net.Sockets;

namespace Srs.Actors.Tests;

/// <summary>Both ends of one real TCP connection on 127.0.0.1: the server's (what a pump writes to) and the player's.</summary>
internal static class LoopbackConnection
{
    public static (Socket Server, Socket Client) Open()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return (listener.Accept(), client);
    }

    /// <summary>Exactly <paramref name="count"/> bytes from <paramref name="socket"/>, or a failure within 10 s.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, long count)
    {
        var buffer = new byte[count];
        var got = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (got < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, timeout.Token);
            if (n == 0) throw new IOException($"closed after {got} of {count} bytes");
            got += n;
        }
        return buffer;
    }
}
