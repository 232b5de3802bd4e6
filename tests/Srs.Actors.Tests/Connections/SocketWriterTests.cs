using System.Buffers;
using System.Net.Sockets;
using Srs.Actors.Connections;

namespace Srs.Actors.Tests.Connections;

public class SocketWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task What_is_written_is_sent_by_the_flush_and_counted_until_then()
    {
        var (server, client) = LoopbackConnection.Open();
        using (server) using (client)
        {
            var writer = new SocketWriter(server);
            writer.Write(new byte[] { 1, 2, 3 });
            writer.Write(new byte[] { 4 });
            Assert.Equal(4, writer.UnflushedBytes);

            await writer.FlushAsync().AsTask().WaitAsync(Timeout);
            Assert.Equal(0, writer.UnflushedBytes);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, await LoopbackConnection.ReceiveExactlyAsync(client, 4));
        }
    }

    [Fact]
    public async Task A_flush_larger_than_the_socket_takes_completes_once_the_peer_has_read_it_all()
    {
        var (server, client) = LoopbackConnection.Open();
        using (server) using (client)
        {
            var writer = new SocketWriter(server);
            // Several times what a loopback connection buffers (send buffer up to 4 MB, the reader's
            // window while it reads nothing): the non-blocking send takes part of it.
            var sent = Enumerable.Range(0, 16 * 1024 * 1024).Select(i => (byte)(i % 253)).ToArray();
            writer.Write(sent);
            var flush = writer.FlushAsync().AsTask();
            Assert.False(flush.IsCompleted, "16 MB went out without the peer reading");

            var received = await LoopbackConnection.ReceiveExactlyAsync(client, sent.Length);
            await flush.WaitAsync(Timeout);
            Assert.Equal(sent, received);
        }
    }

    [Fact]
    public async Task A_flush_to_a_closed_peer_fails_with_a_socket_error()
    {
        var (server, client) = LoopbackConnection.Open();
        using (server)
        {
            client.LingerState = new LingerOption(true, 0); // close with a reset
            client.Dispose();
            var writer = new SocketWriter(server);
            await Assert.ThrowsAsync<SocketException>(async () =>
            {
                for (var i = 0; i < 100; i++) // the first send may land before the reset is seen
                {
                    writer.Write(new byte[1024]);
                    await writer.FlushAsync().AsTask().WaitAsync(Timeout);
                }
            });
        }
    }
}
