using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Handshake;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Protocol.Rtmp.Client;

/// <summary>
/// The client side of one RTMP connection over a pair of pipes (or a connected stream):
/// handshake (digest by default), connect, createStream, then publish or play.
/// </summary>
/// <remarks>
/// After the handshake a read loop runs until the server closes or the connection is disposed.
/// It applies Set Chunk Size (in the chunk reader), answers Window Ack Size with
/// acknowledgements and Ping Request with Ping Response, completes pending commands from their
/// _result/_error, reports every onStatus (<see cref="StatusReceived"/>), and queues received
/// audio, video and data messages on <see cref="Media"/>.
/// Requests (<see cref="ConnectAsync"/> and the rest) are meant to be made one after the other;
/// sending is safe from any thread (writes are serialized with the read loop's replies).
/// A request the server refuses throws <see cref="RtmpStatusException"/>; one still waiting when
/// the connection ends throws <see cref="IOException"/> (or the protocol error that ended it).
/// </remarks>
public sealed class RtmpClientConnection : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly RtmpClientOptions _options;
    private readonly ChunkReader _chunks;
    private readonly ChunkWriter _writer = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<RtmpMessage> _media;
    private readonly CancellationTokenSource _closing = new();
    private readonly object _gate = new();
    private readonly Dictionary<double, TaskCompletionSource<RtmpCommand>> _transactions = new();
    private readonly List<StatusWaiter> _statusWaiters = new();
    private double _nextTransactionId = 1;
    private Exception? _failure;
    private Task _readLoop = Task.CompletedTask;
    private bool _handshakeDone;
    private volatile bool _disposed;

    // Read loop only.
    private uint _windowAckSize;
    private long _bytesAtLastAck;
    private long _bytesReceived;
    private long _bytesSent;

    private sealed record StatusWaiter(Func<RtmpStatus, bool> Matches, TaskCompletionSource<RtmpStatus> Completion);

    /// <summary>Uses the pipes of an established transport; they are completed on dispose.</summary>
    public RtmpClientConnection(PipeReader input, PipeWriter output, RtmpClientOptions? options = null)
    {
        _input = input;
        _output = output;
        _options = options ?? RtmpClientOptions.Default;
        _chunks = new ChunkReader(_options.Limits);
        _media = Channel.CreateBounded<RtmpMessage>(new BoundedChannelOptions(_options.MediaBufferCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Uses a connected stream (e.g. a NetworkStream); it is disposed with the connection.</summary>
    public RtmpClientConnection(Stream stream, RtmpClientOptions? options = null)
        : this(PipeReader.Create(stream), PipeWriter.Create(stream), options)
    {
    }

    /// <summary>The message stream id given by createStream (0 before).</summary>
    public uint StreamId { get; private set; }

    /// <summary>Bytes read from the server so far, handshake included.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes written to the server so far, handshake included.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Audio (8), video (9) and data (18/15) messages from the server, in arrival order.
    /// Completes when the server closes the connection, with the error if it broke the protocol.</summary>
    public ChannelReader<RtmpMessage> Media => _media.Reader;

    /// <summary>Ends when the read loop ends: the server closed, the protocol broke, or dispose.</summary>
    public Task Completion => _readLoop;

    /// <summary>Every onStatus from the server, raised on the read loop (keep handlers short).</summary>
    public event Action<RtmpStatus>? StatusReceived;

    /// <summary>The received media as an async stream (see <see cref="Media"/>).</summary>
    public IAsyncEnumerable<RtmpMessage> ReadMediaAsync(CancellationToken cancellationToken = default) =>
        _media.Reader.ReadAllAsync(cancellationToken);

    /// <summary>C0C1, then S0S1S2, then C2; starts the read loop.</summary>
    public async Task HandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (_handshakeDone) throw new InvalidOperationException("The handshake is already done.");
        var handshake = new HandshakeClient(_options.DigestHandshake);
        handshake.WriteC0C1(_output);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var before = buffer.Length;
            var done = handshake.TryAdvance(ref buffer, _output);
            Interlocked.Add(ref _bytesReceived, before - buffer.Length);
            // Bytes after S2 are the first chunks: the read loop takes them from here.
            _input.AdvanceTo(buffer.Start, done ? buffer.Start : buffer.End);
            if (done) break;
            if (result.IsCompleted) throw new IOException("The server closed the connection during the handshake.");
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        // The acknowledgement window counts from here; sequence numbers include the handshake.
        _bytesAtLastAck = BytesReceived;
        _handshakeDone = true;
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Set Chunk Size (<see cref="RtmpClientOptions.ChunkSize"/>), then connect(app, tcUrl);
    /// returns the NetConnection.Connect.Success status.
    /// </summary>
    public async Task<RtmpStatus> ConnectAsync(string app, string tcUrl, CancellationToken cancellationToken = default)
    {
        RequireHandshake();
        if (_options.ChunkSize != _writer.ChunkSize)
        {
            await WriteAsync(output => _writer.SetChunkSize(output, _options.ChunkSize), cancellationToken).ConfigureAwait(false);
        }

        var reply = await CallAsync(id => ClientCommands.Connect(id, app, tcUrl, _options.FlashVersion, _options.HonoursReconnect ? ReconnectRequest.CapsExReconnect : 0), cancellationToken).ConfigureAwait(false);
        var status = RtmpStatus.FromCommand(reply) ?? new RtmpStatus(StatusLevels.Status, "NetConnection.Connect.Success", "");
        if (status.IsError) throw new RtmpStatusException(status);
        return status;
    }

    /// <summary>createStream; returns (and keeps, for publish and play) the message stream id.</summary>
    public async Task<uint> CreateStreamAsync(CancellationToken cancellationToken = default)
    {
        RequireHandshake();
        var reply = await CallAsync(ClientCommands.CreateStream, cancellationToken).ConfigureAwait(false);
        var id = reply.NumberArgument(0)
                 ?? throw new RtmpProtocolException($"createStream: the reply has no stream id: {reply}");
        if (id is < 1 or > uint.MaxValue) throw new RtmpProtocolException($"createStream: bad stream id {id}");
        StreamId = (uint)id;
        return StreamId;
    }

    /// <summary>publish(name); returns NetStream.Publish.Start, throws <see cref="RtmpStatusException"/> on an error status (e.g. BadName).</summary>
    public Task<RtmpStatus> PublishAsync(string streamName, CancellationToken cancellationToken = default) =>
        StreamRequestAsync(ClientCommands.Publish(streamName),
            s => s.Code.StartsWith("NetStream.Publish.", StringComparison.Ordinal), cancellationToken);

    /// <summary>play(name); returns NetStream.Play.Start, throws <see cref="RtmpStatusException"/> on an error status.</summary>
    public Task<RtmpStatus> PlayAsync(string streamName, CancellationToken cancellationToken = default) =>
        StreamRequestAsync(ClientCommands.Play(streamName),
            s => s.Code == "NetStream.Play.Start", cancellationToken);

    /// <summary>deleteStream (no reply expected): the server ends the publish or play.</summary>
    public ValueTask DeleteStreamAsync(CancellationToken cancellationToken = default)
    {
        RequireStream();
        return SendCommandAsync(ClientCommands.DeleteStream(StreamId), 0, ChunkStreams.OverConnection, cancellationToken);
    }

    /// <summary>@setDataFrame onMetaData with these properties.</summary>
    public ValueTask SendMetaDataAsync(Amf0Object metaData, CancellationToken cancellationToken = default) =>
        SendMessageAsync(ChunkStreams.Data, RtmpMessageType.DataAmf0, 0, ClientCommands.SetDataFrame(metaData), cancellationToken);

    /// <summary>An audio message (FLV audio tag body) on the created stream.</summary>
    public ValueTask SendAudioAsync(uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendMessageAsync(ChunkStreams.Audio, RtmpMessageType.Audio, timestamp, payload, cancellationToken);

    /// <summary>A video message (FLV video tag body) on the created stream.</summary>
    public ValueTask SendVideoAsync(uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendMessageAsync(ChunkStreams.Video, RtmpMessageType.Video, timestamp, payload, cancellationToken);

    /// <summary>Any message on the created stream, written and flushed at once.</summary>
    public ValueTask SendMessageAsync(int chunkStreamId, byte typeId, uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        RequireStream();
        var streamId = StreamId;
        return WriteAsync(output => _writer.Write(output, chunkStreamId, typeId, timestamp, streamId, payload.Span), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }

        _closing.Cancel();
        _input.CancelPendingRead();
        _output.CancelPendingFlush();
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch
        {
            // Its fault was already handed to whoever waited.
        }

        Fail(new ObjectDisposedException(nameof(RtmpClientConnection)));
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        await _input.CompleteAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    private async Task<RtmpStatus> StreamRequestAsync(byte[] command, Func<RtmpStatus, bool> answers, CancellationToken cancellationToken)
    {
        RequireStream();
        // Registered before sending, so an answer can never arrive unseen.
        var completion = new TaskCompletionSource<RtmpStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = new StatusWaiter(s => s.IsError || answers(s), completion);
        lock (_gate)
        {
            ThrowIfFailed();
            _statusWaiters.Add(waiter);
        }

        try
        {
            await SendCommandAsync(command, StreamId, ChunkStreams.OverStream, cancellationToken).ConfigureAwait(false);
            return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _statusWaiters.Remove(waiter);
        }
    }

    /// <summary>Sends a command with a fresh transaction id and waits for its _result (an _error throws).</summary>
    private async Task<RtmpCommand> CallAsync(Func<double, byte[]> build, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<RtmpCommand>(TaskCreationOptions.RunContinuationsAsynchronously);
        double id;
        lock (_gate)
        {
            ThrowIfFailed();
            id = _nextTransactionId++;
            _transactions[id] = completion;
        }

        try
        {
            await SendCommandAsync(build(id), 0, ChunkStreams.OverConnection, cancellationToken).ConfigureAwait(false);
            return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _transactions.Remove(id);
        }
    }

    private ValueTask SendCommandAsync(byte[] payload, uint streamId, int chunkStreamId, CancellationToken cancellationToken) =>
        WriteAsync(output => _writer.Write(output, chunkStreamId, RtmpMessageType.CommandAmf0, 0, streamId, payload), cancellationToken);

    /// <summary>Runs <paramref name="write"/> on the pipe under the write lock, then flushes.</summary>
    private async ValueTask WriteAsync(Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            write(_output);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var pending = _output.UnflushedBytes;
        var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled) throw new ObjectDisposedException(nameof(RtmpClientConnection));
        if (result.IsCompleted) throw new IOException("The server stopped reading.");
        Interlocked.Add(ref _bytesSent, pending);
    }

    private async Task ReadLoopAsync()
    {
        var token = _closing.Token;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(token).ConfigureAwait(false);
                if (result.IsCanceled) throw new OperationCanceledException(token);
                var buffer = result.Buffer;
                var before = buffer.Length;
                try
                {
                    while (_chunks.TryReadMessage(ref buffer, out var message))
                        await HandleAsync(message, token).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Add(ref _bytesReceived, before - buffer.Length);
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                await AcknowledgeAsync(token).ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    Fail(new IOException(buffer.IsEmpty
                        ? "The server closed the connection."
                        : "The server closed the connection in the middle of a message."));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Fail(new ObjectDisposedException(nameof(RtmpClientConnection)));
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    private async ValueTask HandleAsync(RtmpMessage message, CancellationToken token)
    {
        switch (message.TypeId)
        {
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
            case RtmpMessageType.Aggregate:
                await _media.Writer.WriteAsync(message, token).ConfigureAwait(false);
                break;
            case RtmpMessageType.CommandAmf0:
                OnCommand(RtmpCommand.Parse(message.Payload.Span));
                break;
            case RtmpMessageType.CommandAmf3:
                OnCommand(RtmpCommand.Parse(message.Payload.Span[Math.Min(1, message.Length)..]));
                break;
            case RtmpMessageType.WindowAckSize:
                _windowAckSize = ProtocolControl.ReadUInt32(message.Payload.Span);
                break;
            case RtmpMessageType.UserControl:
                var ev = UserControlEvent.Parse(message.Payload.Span);
                if (ev.Type == UserControlEvent.PingRequest)
                {
                    var pong = new UserControlEvent(UserControlEvent.PingResponse, ev.Value);
                    await WriteAsync(output => ProtocolControl.WriteUserControl(_writer, output, pong), token).ConfigureAwait(false);
                }

                break;
            default:
                // Set Chunk Size and Abort are applied by the chunk reader; acks and peer bandwidth need no answer.
                break;
        }
    }

    private ValueTask AcknowledgeAsync(CancellationToken token)
    {
        var received = Interlocked.Read(ref _bytesReceived);
        if (_windowAckSize == 0 || received - _bytesAtLastAck < _windowAckSize) return ValueTask.CompletedTask;
        _bytesAtLastAck = received;
        // The sequence number is the byte count so far; it wraps at 2^32 as the spec says.
        var sequence = unchecked((uint)received);
        return WriteAsync(output => ProtocolControl.WriteAcknowledgement(_writer, output, sequence), token);
    }

    private void OnCommand(RtmpCommand command)
    {
        switch (command.Name)
        {
            case CommandNames.Result:
            case CommandNames.Error:
                TaskCompletionSource<RtmpCommand>? pending;
                lock (_gate) _transactions.Remove(command.TransactionId, out pending);
                if (pending is null) return;
                if (command.Name == CommandNames.Result) pending.TrySetResult(command);
                else pending.TrySetException(new RtmpStatusException(RtmpStatus.FromCommand(command)
                                                                      ?? new RtmpStatus(StatusLevels.Error, CommandNames.Error, command.ToString())));
                break;
            case CommandNames.OnStatus:
                if (RtmpStatus.FromCommand(command) is { } status) OnStatus(status);
                break;
        }
    }

    private void OnStatus(RtmpStatus status)
    {
        StatusReceived?.Invoke(status);
        List<StatusWaiter>? matched = null;
        lock (_gate)
        {
            foreach (var waiter in _statusWaiters)
                if (waiter.Matches(status)) (matched ??= new()).Add(waiter);
            if (matched is not null) _statusWaiters.RemoveAll(matched.Contains);
        }

        if (matched is null) return;
        foreach (var waiter in matched)
        {
            if (status.IsError) waiter.Completion.TrySetException(new RtmpStatusException(status));
            else waiter.Completion.TrySetResult(status);
        }
    }

    /// <summary>The connection is over: everyone still waiting gets <paramref name="reason"/>.</summary>
    private void Fail(Exception reason)
    {
        TaskCompletionSource<RtmpCommand>[] transactions;
        StatusWaiter[] waiters;
        lock (_gate)
        {
            _failure ??= reason;
            transactions = _transactions.Values.ToArray();
            waiters = _statusWaiters.ToArray();
            _transactions.Clear();
            _statusWaiters.Clear();
        }

        foreach (var t in transactions) t.TrySetException(_failure);
        foreach (var w in waiters) w.Completion.TrySetException(_failure);
        // The server closing ends the media normally; a protocol error is passed on to the reader.
        _media.Writer.TryComplete(_failure is IOException or ObjectDisposedException ? null : _failure);
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null) throw _failure is IOException io ? new IOException(io.Message, io) : _failure;
    }

    private void RequireHandshake()
    {
        if (!_handshakeDone) throw new InvalidOperationException("Call HandshakeAsync first.");
    }

    private void RequireStream()
    {
        RequireHandshake();
        if (StreamId == 0) throw new InvalidOperationException("Call CreateStreamAsync first.");
    }
}
