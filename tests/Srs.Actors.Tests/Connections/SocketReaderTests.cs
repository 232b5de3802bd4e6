using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Srs.Actors.Connections;

namespace Srs.Actors.Tests.Connections;

public class SocketReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A reader on the server end of a loopback connection, and the client end; disposing closes both.</summary>
    private sealed record ReaderAndPeer(SocketReader Reader, Socket Client, Socket Server) : IDisposable
    {
        public static ReaderAndPeer Open()
        {
            var (server, client) = LoopbackConnection.Open();
            return new ReaderAndPeer(new SocketReader(server), client, server);
        }

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + i / 251)).ToArray();

    [Fact]
    public async Task Bytes_arrive_in_order_and_what_is_consumed_is_not_read_again()
    {
        using var connection = ReaderAndPeer.Open();
        var (reader, client, _) = connection;
        client.Send(new byte[] { 1, 2, 3, 4, 5 });

        var first = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, first.Buffer.ToArray());
        reader.AdvanceTo(first.Buffer.GetPosition(2)); // consume 1, 2; 3, 4, 5 stay unread but not examined

        var second = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(new byte[] { 3, 4, 5 }, second.Buffer.ToArray());
        Assert.False(second.IsCompleted);
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task A_read_after_everything_was_examined_waits_for_new_bytes()
    {
        using var connection = ReaderAndPeer.Open();
        var (reader, client, _) = connection;
        client.Send(new byte[] { 1, 2 });
        var first = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End); // seen, not enough: wait for more

        var next = reader.ReadAsync().AsTask();
        Assert.False(reader.TryRead(out _), "nothing new is there yet");
        client.Send(new byte[] { 3 });
        var second = await next.WaitAsync(Timeout);
        Assert.Equal(new byte[] { 1, 2, 3 }, second.Buffer.ToArray());
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task A_message_larger_than_the_buffer_is_gathered_whole_when_the_consumer_waits_for_all_of_it()
    {
        using var connection = ReaderAndPeer.Open();
        var (reader, client, _) = connection;
        var sent = Pattern(300_000);
        var sending = client.SendAsync(sent, SocketFlags.None);
        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            if (result.Buffer.Length >= sent.Length) break;
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
        Assert.True(result.Buffer.IsSingleSegment);
        Assert.Equal(sent, result.Buffer.ToArray());
        reader.AdvanceTo(result.Buffer.End);
        await sending;
    }

    [Fact]
    public async Task Consuming_in_small_steps_keeps_every_byte_in_order()
    {
        using var connection = ReaderAndPeer.Open();
        var (reader, client, _) = connection;
        var sent = Pattern(200_000);
        var sending = client.SendAsync(sent, SocketFlags.None);
        var got = new List<byte>();
        while (got.Count < sent.Length)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            // Take at most 1,000 bytes a read: what is left moves to the front of the buffer as more comes.
            var take = result.Buffer.Slice(0, Math.Min(1_000, result.Buffer.Length));
            got.AddRange(take.ToArray());
            reader.AdvanceTo(take.End);
        }
        Assert.Equal(sent, got.ToArray());
        await sending;
    }

    [Fact]
    public async Task The_peer_closing_completes_the_read_with_what_is_left()
    {
        using var connection = ReaderAndPeer.Open();
        var (reader, client, _) = connection;
        client.Send(new byte[] { 9, 8 });
        client.Shutdown(SocketShutdown.Send);
        client.Dispose();
        ReadResult result;
        do
        {
            result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            if (!result.IsCompleted) reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        } while (!result.IsCompleted);
        Assert.Equal(new byte[] { 9, 8 }, result.Buffer.ToArray());
        reader.AdvanceTo(result.Buffer.End);

        var after = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(after.IsCompleted);
        Assert.True(after.Buffer.IsEmpty);
    }

    [Fact]
    public async Task A_waiting_read_ends_when_its_token_is_cancelled()
    {
        using var connection = ReaderAndPeer.Open();
        var reader = connection.Reader;
        using var cts = new CancellationTokenSource();
        var read = reader.ReadAsync(cts.Token).AsTask();
        Assert.False(read.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Timeout));
    }

    [Fact]
    public async Task CancelPendingRead_makes_the_next_read_return_cancelled()
    {
        using var connection = ReaderAndPeer.Open();
        var reader = connection.Reader;
        reader.CancelPendingRead();
        var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(result.IsCanceled);
        Assert.True(result.Buffer.IsEmpty);
    }

    [Fact]
    public async Task A_position_from_another_buffer_is_refused()
    {
        using var connection = ReaderAndPeer.Open();
        var (reader, client, _) = connection;
        client.Send(new byte[] { 1 });
        await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        var foreign = new ReadOnlySequence<byte>(new byte[4]);
        Assert.Throws<InvalidOperationException>(() => reader.AdvanceTo(foreign.End));
    }
}
