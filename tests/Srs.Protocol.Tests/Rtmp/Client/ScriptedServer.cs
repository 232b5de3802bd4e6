using System.Buffers;
using System.IO.Pipelines;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Client;
using Srs.Protocol.Rtmp.Handshake;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Protocol.Tests.Rtmp.Client;

/// <summary>
/// The server end of an in-memory RTMP connection, driven step by step by a test, built from the
/// same protocol pieces as the node (HandshakeServer, ChunkReader/Writer, ServerCommands).
/// Every wait is on data, never on time; <see cref="Guard"/> only turns a hang into a failure.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private readonly Pipe _toClient = new();
    private readonly Pipe _toServer = new();
    private readonly ChunkWriter _writer = new();

    public ScriptedServer(RtmpClientOptions? options = null)
    {
        Client = new RtmpClientConnection(_toClient.Reader, _toServer.Writer, options);
    }

    public RtmpClientConnection Client { get; }

    /// <summary>What the server side reads with (its chunk size follows the client's Set Chunk Size).</summary>
    public ChunkReader Reader { get; } = new();

    /// <summary>Bytes written to the client so far.</summary>
    public long BytesSent { get; private set; }

    private PipeReader Input => _toServer.Reader;
    private PipeWriter Output => _toClient.Writer;

    public static Task<T> Guard<T>(Task<T> task) => task.WaitAsync(HangLimit);
    public static Task Guard(Task task) => task.WaitAsync(HangLimit);

    public async Task AcceptHandshakeAsync()
    {
        var handshake = new HandshakeServer();
        while (true)
        {
            var result = await Guard(Input.ReadAsync().AsTask());
            var buffer = result.Buffer;
            var done = handshake.TryAdvance(ref buffer, Output);
            Input.AdvanceTo(buffer.Start, done ? buffer.Start : buffer.End);
            await FlushAsync();
            if (done) return;
            if (result.IsCompleted) throw new EndOfStreamException("client closed during the handshake");
        }
    }

    /// <summary>Both ends of the handshake.</summary>
    public async Task HandshakeAsync()
    {
        var client = Client.HandshakeAsync();
        await AcceptHandshakeAsync();
        await Guard(client);
    }

    /// <summary>Handshake, then connect answered like the node does (window, bandwidth, chunk size, _result).</summary>
    public async Task<RtmpStatus> ConnectAsync(string app = "live", int serverChunkSize = 60000)
    {
        await HandshakeAsync();
        var client = Client.ConnectAsync(app, $"rtmp://127.0.0.1:1935/{app}");
        var connect = await ReadCommandAsync();
        Assert.Equal(CommandNames.Connect, connect.Name);
        await SendAsync(w =>
        {
            ProtocolControl.WriteWindowAckSize(_writer, w, 2_500_000);
            ProtocolControl.WriteSetPeerBandwidth(_writer, w, 2_500_000, 2);
            _writer.SetChunkSize(w, serverChunkSize);
        });
        await SendCommandAsync(ServerCommands.ConnectResult(connect.TransactionId, 0));
        return await Guard(client);
    }

    /// <summary>Connect, then createStream answered with <paramref name="streamId"/>.</summary>
    public async Task ConnectAndCreateStreamAsync(uint streamId = 1)
    {
        await ConnectAsync();
        var client = Client.CreateStreamAsync();
        var create = await ReadCommandAsync();
        Assert.Equal(CommandNames.CreateStream, create.Name);
        await SendCommandAsync(ServerCommands.Result(create.TransactionId, streamId));
        Assert.Equal(streamId, await Guard(client));
    }

    public async Task<RtmpMessage> ReadMessageAsync()
    {
        while (true)
        {
            var result = await Guard(Input.ReadAsync().AsTask());
            var buffer = result.Buffer;
            if (Reader.TryReadMessage(ref buffer, out var message))
            {
                Input.AdvanceTo(buffer.Start);
                return message;
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new EndOfStreamException("client closed the connection");
        }
    }

    /// <summary>The next message that is not protocol control (Set Chunk Size, Window Ack Size).</summary>
    public async Task<RtmpMessage> ReadNonControlMessageAsync()
    {
        while (true)
        {
            var message = await ReadMessageAsync();
            if (message.TypeId is not (RtmpMessageType.SetChunkSize or RtmpMessageType.WindowAckSize)) return message;
        }
    }

    public async Task<RtmpCommand> ReadCommandAsync()
    {
        var message = await ReadNonControlMessageAsync();
        Assert.Equal(RtmpMessageType.CommandAmf0, message.TypeId);
        return RtmpCommand.Parse(message.Payload.Span);
    }

    /// <summary>Writes with the server's chunk writer, then flushes.</summary>
    public async Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        write(Output);
        await FlushAsync();
    }

    public Task SendCommandAsync(byte[] payload, uint streamId = 0, int chunkStreamId = ChunkStreams.OverConnection) =>
        SendAsync(w => _writer.Write(w, chunkStreamId, RtmpMessageType.CommandAmf0, 0, streamId, payload));

    public Task SendStatusAsync(string level, string code, string description = "", uint streamId = 1) =>
        SendCommandAsync(ServerCommands.OnStatus(level, code, description), streamId, ChunkStreams.OverStream);

    public Task SendMediaAsync(byte typeId, uint timestamp, byte[] payload, uint streamId = 1) =>
        SendAsync(w => _writer.Write(w, typeId == RtmpMessageType.Video ? ChunkStreams.Video : ChunkStreams.Audio, typeId, timestamp, streamId, payload));

    public Task SetChunkSizeAsync(int size) => SendAsync(w => _writer.SetChunkSize(w, size));

    public Task SendUserControlAsync(UserControlEvent ev) => SendAsync(w => ProtocolControl.WriteUserControl(_writer, w, ev));

    public Task SendWindowAckSizeAsync(uint size) => SendAsync(w => ProtocolControl.WriteWindowAckSize(_writer, w, size));

    /// <summary>Raw bytes, for protocol violations.</summary>
    public Task SendRawAsync(byte[] bytes) => SendAsync(w => w.Write(bytes));

    /// <summary>The server closes its side of the connection.</summary>
    public Task CloseAsync() => Output.CompleteAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Output.CompleteAsync();
        await Input.CompleteAsync();
    }

    private async Task FlushAsync()
    {
        BytesSent += Output.UnflushedBytes;
        await Output.FlushAsync();
    }
}
