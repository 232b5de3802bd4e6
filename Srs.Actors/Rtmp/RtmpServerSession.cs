using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Connections;
using Srs.Actors.Hooks;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Protocol.Amf;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Handshake;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Actors.Sources.SourceProtocol;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Rtmp;

/// <summary>
/// The server side of one RTMP connection, as a loop over its socket's pipes: handshake,
/// connect, createStream, then publish (media to the source) or play (a pump sends the
/// player's queue). It runs outside the actor; it reaches the source through the registry,
/// tells the source when it leaves, and tells its connection actor why it ended.
/// </summary>
public sealed class RtmpServerSession
{
    private const uint AckWindow = 2_500_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>"|RtmpSampleAccess", false, false: what Flash players expect after Play.Start.</summary>
    private static readonly byte[] SampleAccess = BuildSampleAccess();

    private readonly PipeReader _input;
    private readonly PipeWriter _pipeOut;
    private readonly RtmpOutput _output;
    private readonly ClientStats _client;
    private readonly IActorRef _connection;
    private readonly IActorRef _registry;
    private readonly SrsSettings _settings;
    private readonly ServerStats _stats;
    private readonly HttpHooks _hooks;
    private readonly ILoggingAdapter _log;
    private Action<string>? _warn; // for hook calls; made on the first
    // Cancelled by Close, at the end, or by its own timer (CancelAfter): the publisher timeout.
    // The handshake deadline is the connection actor's (CloseIfNotStreaming), so a player, which
    // may stay silent as long as it watches, holds no timer at all.
    private readonly CancellationTokenSource _cts = new();
    private volatile bool _streaming; // publishing or playing
    private readonly ChunkReader _chunks;
    private List<MediaPacket>? _packets; // a publisher's: players never need it
    private string? _closeReason;

    private string _app = "";
    private string? _tcUrlHost;
    private bool _connected;
    /// <summary>The client advertised Enhanced RTMP's reconnect capability in connect.</summary>
    private bool _honoursReconnect;
    private StreamKey? _stream;
    private IActorRef? _source;
    private int _epoch;
    private PlayerQueue? _playerQueue;
    private RtmpMediaPump? _pump;
    private readonly Socket? _socket;
    private long _bytesSinceAck;
    private uint _peerAckWindow;
    private long _totalBytesIn;

    /// <param name="socket">The connection's socket, which players' media is sent on directly; null only where nothing plays (tests).</param>
    public RtmpServerSession(PipeReader input, PipeWriter output, ClientStats client, IActorRef connection,
        IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks, ILoggingAdapter log,
        Socket? socket = null)
    {
        _socket = socket;
        _input = input;
        _pipeOut = output;
        _output = new RtmpOutput(output, client, stats);
        _client = client;
        _connection = connection;
        _registry = registry;
        _settings = settings;
        _stats = stats;
        _hooks = hooks;
        _log = log;
        _chunks = new ChunkReader(settings.Limits);
    }

    /// <summary>Ends the session from outside (kick, source gone, quit); the first reason wins.</summary>
    public void Close(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Runs the session to its end; returns why it ended and tells the connection actor (<see cref="SessionEnded"/>).</summary>
    public async Task<string> RunAsync()
    {
        var ct = _cts.Token;
        string reason;
        try
        {
            // One loop here, the work in HandleReadAsync: a connection waiting for bytes (every
            // player, nearly always) keeps one async state alive, not two.
            var end = await HandshakeAsync(ct) ? null : "peer closed during handshake";
            while (end is null) end = await HandleReadAsync(await _input.ReadAsync(ct), ct);
            reason = end;
        }
        catch (OperationCanceledException)
        {
            // Cancelled without a reason given: only the timer does that.
            reason = _closeReason ?? (ct.IsCancellationRequested ? TimeoutReason() : "cancelled");
        }
        catch (RtmpProtocolException e)
        {
            reason = "protocol error: " + e.Message;
        }
        catch (Exception e) when (ConnectionLost.Is(e))
        {
            reason = _closeReason ?? "connection lost: " + e.Message;
        }
        catch (Exception e)
        {
            reason = "internal error: " + e.Message;
        }
        try
        {
            _pump?.Stop(_closeReason ?? "session ended");
            _playerQueue?.Complete();
            _cts.Cancel();
            _input.Complete();
        }
        catch (Exception e)
        {
            _log.Error(e, "client {0}: ending the session failed", _client.Id);
        }
        try
        {
            // Always reached: the source does not watch its clients, it relies on this (see SourceActor).
            await LeaveStreamAsync();
        }
        catch (Exception e)
        {
            _log.Error(e, "client {0}: leaving its stream failed", _client.Id);
        }
        _connection.Tell(new SessionEnded(reason));
        return reason;
    }

    private Action<string> Warn => _warn ??= message => _log.Warning(message);

    /// <summary>
    /// Sends a publisher that advertised the capability a reconnect request to its own tcUrl (the
    /// same address: another process or origin answers it now); false when this is no such publisher.
    /// </summary>
    public bool AskToReconnect(string why)
    {
        if (!_honoursReconnect || !_client.IsPublisher) return false;
        _ = SendReconnectRequestAsync(why);
        return true;
    }

    private async Task SendReconnectRequestAsync(string why)
    {
        try { await _output.SendCommandAsync(ReconnectRequest.Build(_client.TcUrl, why), 0, _cts.Token); }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or InvalidOperationException) { } // the session ended meanwhile
    }

    /// <summary>
    /// The handshake deadline, run by the connection actor at <c>rtmp.handshake-timeout</c> after the
    /// connection opened: a client must handshake, connect and publish or play by then.
    /// </summary>
    public void CloseIfNotStreaming()
    {
        if (!_streaming) Close(HandshakeTimeoutReason);
    }

    private string HandshakeTimeoutReason => $"no handshake/connect/publish/play within {_settings.Limits.HandshakeTimeout.TotalSeconds:F0}s";

    private string TimeoutReason() => _source is null
        ? HandshakeTimeoutReason
        : $"publisher silent for {_settings.Limits.PublisherTimeout.TotalSeconds:0.###}s";

    private async Task<bool> HandshakeAsync(CancellationToken ct)
    {
        var handshake = new HandshakeServer();
        while (true)
        {
            var result = await _input.ReadAsync(ct);
            var buffer = result.Buffer;
            CountBytesIn(buffer.Length);
            var done = handshake.TryAdvance(ref buffer, _pipeOut);
            // Bytes after C2 belong to the chunk stream; count them there, not twice.
            CountBytesIn(-buffer.Length);
            // Once done, what follows C2 is unread (not examined): the read loop must get it without
            // waiting for more bytes, or a client that sent connect right behind C2 stalls.
            _input.AdvanceTo(buffer.Start, done ? buffer.Start : buffer.End);
            if (_pipeOut.UnflushedBytes > 0) await _pipeOut.FlushAsync(ct);
            if (done) return true;
            if (result.IsCompleted) return false;
        }
    }

    /// <summary>
    /// Handles the messages one read brought; returns why the session ends, or null to read on.
    /// Completes without allocating unless a message's handling has to wait.
    /// </summary>
    private async ValueTask<string?> HandleReadAsync(ReadResult result, CancellationToken ct)
    {
        var buffer = result.Buffer;
        var before = buffer.Length;
        try
        {
            while (_chunks.TryReadMessage(ref buffer, out var message))
            {
                var end = await HandleAsync(message!, ct);
                if (end is not null) return end;
            }
        }
        finally
        {
            CountBytesIn(before - buffer.Length);
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
        await AcknowledgeAsync(ct);
        if (result.IsCompleted) return _source is not null && _playerQueue is null ? "publisher closed the connection" : "peer closed the connection";
        if (_source is not null && _playerQueue is null) _cts.CancelAfter(_settings.Limits.PublisherTimeout);
        return null;
    }

    private void CountBytesIn(long n)
    {
        _totalBytesIn += n;
        _bytesSinceAck += n;
        _client.AddBytesIn(n);
        _stats.AddBytesIn(n);
    }

    private async ValueTask AcknowledgeAsync(CancellationToken ct)
    {
        // The peer expects an acknowledgement each time its window of bytes has arrived.
        if (_peerAckWindow == 0 || _bytesSinceAck < _peerAckWindow) return;
        _bytesSinceAck = 0;
        await _output.SendAcknowledgementAsync((uint)_totalBytesIn, ct);
    }

    /// <summary>Handles one message; returns a reason when the session must end.</summary>
    private async ValueTask<string?> HandleAsync(RtmpMessage m, CancellationToken ct)
    {
        switch (m.TypeId)
        {
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
            case RtmpMessageType.Aggregate:
                ForwardMedia(m);
                return null;
            case RtmpMessageType.CommandAmf0:
            case RtmpMessageType.CommandAmf3:
                var body = m.TypeId == RtmpMessageType.CommandAmf3 ? m.Payload[Math.Min(1, m.Payload.Length)..] : m.Payload;
                return await HandleCommandAsync(RtmpCommand.Parse(body.Span), m.StreamId, ct);
            case RtmpMessageType.WindowAckSize:
                _peerAckWindow = ProtocolControl.ReadUInt32(m.Payload.Span);
                return null;
            case RtmpMessageType.UserControl:
                var ev = UserControlEvent.Parse(m.Payload.Span);
                if (ev.Type == UserControlEvent.PingRequest)
                    await _output.SendUserControlAsync(new UserControlEvent(UserControlEvent.PingResponse, ev.Value), ct);
                return null;
            default:
                // Set Chunk Size and Abort are applied by the chunk reader; acks and bandwidth need no answer.
                return null;
        }
    }

    /// <summary>A publisher's media, metadata or aggregate, as packets to its source (RtmpMedia shares the parsing with the edge).</summary>
    private void ForwardMedia(RtmpMessage m)
    {
        if (_source is null || _playerQueue is not null) return;
        var packets = _packets ??= new List<MediaPacket>(4);
        RtmpMedia.ToPackets(m, _epoch, packets);
        foreach (var packet in packets) _source.Tell(packet, _connection);
        packets.Clear();
    }

    private async ValueTask<string?> HandleCommandAsync(RtmpCommand cmd, uint streamId, CancellationToken ct)
    {
        switch (cmd.Name)
        {
            case CommandNames.Connect:
                return await ConnectAsync(cmd, ct);
            case CommandNames.CreateStream:
                await _output.SendCommandAsync(ServerCommands.Result(cmd.TransactionId, RtmpOutput.MediaStreamId), 0, ct);
                return null;
            case CommandNames.ReleaseStream:
            case CommandNames.FCPublish:
                if (cmd.TransactionId > 0) await _output.SendCommandAsync(ServerCommands.EmptyResult(cmd.TransactionId), 0, ct);
                return null;
            case CommandNames.Publish:
                return await PublishAsync(cmd, ct);
            case CommandNames.Play:
                return await PlayAsync(cmd, ct);
            case CommandNames.Pause:
                await PauseAsync(cmd, ct);
                return null;
            case CommandNames.FCUnpublish:
            case CommandNames.DeleteStream:
            case CommandNames.CloseStream:
                // A player that ends its own playback: the source lets its queue go, which stops the
                // pump and closes the session. The reason is the player's, not "the source stopped".
                if (_playerQueue is not null && _source is not null)
                    Interlocked.CompareExchange(ref _closeReason, $"player closed its stream ({cmd.Name})", null);
                await LeaveStreamAsync();
                if (cmd.Name == CommandNames.FCUnpublish && cmd.TransactionId > 0)
                    await _output.SendCommandAsync(ServerCommands.EmptyResult(cmd.TransactionId), 0, ct);
                return null;
            default:
                _log.Debug("client {0}: ignored command {1}", _client.Id, cmd.Name);
                return null;
        }
    }

    private async ValueTask<string?> ConnectAsync(RtmpCommand cmd, CancellationToken ct)
    {
        if (_connected) throw new RtmpProtocolException("connect sent twice");
        if (cmd.CommandObject is not Amf0Object info || info.GetString("app") is not { } app)
            throw new RtmpProtocolException("connect without an app");
        _connected = true;
        _app = app;
        var tcUrl = info.GetString("tcUrl");
        _client.TcUrl = tcUrl;
        _client.PageUrl = info.GetString("pageUrl");
        _client.SwfUrl = info.GetString("swfUrl");
        _client.App = app;
        if (Uri.TryCreate(tcUrl, UriKind.Absolute, out var uri)) _tcUrlHost = uri.Host;

        if (_hooks.Any && await _hooks.CallAsync(HookEvent.OnConnect, _client, null, Warn) is { } refused)
        {
            await _output.SendCommandAsync(ServerCommands.Error(cmd.TransactionId, "NetConnection.Connect.Rejected", refused), 0, ct);
            return "connect refused by " + refused;
        }
        await _output.SendConnectPreambleAsync(AckWindow, _settings.OutChunkSize, ct);
        _honoursReconnect = ReconnectRequest.Advertised(info);
        await _output.SendCommandAsync(ServerCommands.ConnectResult(cmd.TransactionId, info.GetNumber("objectEncoding") ?? 0,
            _honoursReconnect ? ReconnectRequest.CapsExReconnect : 0), 0, ct);
        return null;
    }

    private StreamKey StreamOf(RtmpCommand cmd)
    {
        if (!_connected) throw new RtmpProtocolException($"{cmd.Name} before connect");
        var name = cmd.StringArgument(0) ?? throw new RtmpProtocolException($"{cmd.Name} without a stream name");
        var key = StreamKey.FromRtmp(_tcUrlHost, _app, name);
        if (!key.IsValid) throw new RtmpProtocolException($"invalid stream name '{name}' in app '{_app}'");
        var q = name.IndexOf('?');
        _client.Param = q < 0 ? null : name[q..];
        _client.Vhost = key.Vhost;
        _client.Stream = key.Stream;
        return key;
    }

    private async ValueTask<string?> PublishAsync(RtmpCommand cmd, CancellationToken ct)
    {
        if (_stream is not null) throw new RtmpProtocolException("publish on a connection that already publishes or plays");
        var key = StreamOf(cmd);
        _client.Type = ClientType.RtmpPublish;
        if (_hooks.Any && await _hooks.CallAsync(HookEvent.OnPublish, _client, key, Warn) is { } refused)
        {
            await SendStatusAsync("error", "NetStream.Publish.Rejected", refused, ct);
            return "publish refused by " + refused;
        }

        switch (await _registry.Ask<PublishReply>(new SourceEnvelope(key, new Publish(_client.Id, _connection)), AskTimeout, ct))
        {
            case PublishRejected rejected:
                await SendStatusAsync("error", "NetStream.Publish.BadName", rejected.Reason, ct);
                return "publish refused: " + rejected.Reason;
            case PublishAccepted accepted:
                BindSource(key, accepted.Source);
                _epoch = accepted.Epoch;
                break;
        }
        _streaming = true;
        _cts.CancelAfter(_settings.Limits.PublisherTimeout);
        await SendOnStreamAsync(ServerCommands.Notify(CommandNames.OnFCPublish, "NetStream.Publish.Start", "Started publishing stream."), ct);
        await SendStatusAsync("status", "NetStream.Publish.Start", "Started publishing stream.", ct);
        _log.Info("client {0} publishes {1}", _client.Id, key);
        return null;
    }

    private async ValueTask<string?> PlayAsync(RtmpCommand cmd, CancellationToken ct)
    {
        if (_stream is not null) throw new RtmpProtocolException("play on a connection that already publishes or plays");
        var key = StreamOf(cmd);
        _client.Type = ClientType.RtmpPlay;
        if (_hooks.Any && await _hooks.CallAsync(HookEvent.OnPlay, _client, key, Warn) is { } refused)
        {
            await SendStatusAsync("error", "NetStream.Play.Failed", refused, ct);
            return "play refused by " + refused;
        }

        var queue = new PlayerQueue(_settings.QueueLength);
        var accepted = await _registry.Ask<PlayAccepted>(new SourceEnvelope(key, new Play(_client.Id, _connection, queue, _client)), AskTimeout, ct);
        if (_socket?.AddressFamily == AddressFamily.Unix && (!accepted.Publishing || accepted.Pulled))
        {
            // The other process of an upgrade pulls only what an encoder publishes here: a stream
            // pulled from it, or not published at all, would feed it its own media back (a loop).
            accepted.Source.Tell(new StopPlay(_client.Id));
            await SendStatusAsync("error", "NetStream.Play.StreamNotFound", $"{key} is not published here", ct);
            return $"the upgrade peer asked for {key}, not published here";
        }
        _playerQueue = queue;
        BindSource(key, accepted.Source);
        _streaming = true; // a player may stay silent for as long as it watches

        await _output.SendUserControlAsync(new UserControlEvent(UserControlEvent.StreamBegin, RtmpOutput.MediaStreamId), ct);
        await SendStatusAsync("status", "NetStream.Play.Reset", "Playing and resetting stream.", ct);
        await SendStatusAsync("status", "NetStream.Play.Start", "Started playing stream.", ct);
        await _output.SendDataAsync(SampleAccess, RtmpOutput.MediaStreamId, ct);
        await SendStatusAsync("status", "NetStream.Data.Start", "Started playing stream.", ct);
        _log.Info("client {0} plays {1} ({2})", _client.Id, key, accepted.Publishing ? "live" : "waiting for the publisher");

        // From here media goes out on the source's flushes (see MediaPump); the read loop goes on with commands.
        _pump = new RtmpMediaPump(queue, _output, _socket ?? throw new InvalidOperationException("playing needs the socket"), _client, _stats, this);
        _output.Pump = _pump;
        _pump.Start();
        return null;
    }

    private async ValueTask PauseAsync(RtmpCommand cmd, CancellationToken ct)
    {
        if (_playerQueue is null) return;
        var pause = cmd.Arguments.Count > 0 && cmd.Arguments[0] is true;
        if (_pump is not null) _pump.Paused = pause;
        var code = pause ? "NetStream.Pause.Notify" : "NetStream.Unpause.Notify";
        await SendStatusAsync("status", code, pause ? "Paused stream." : "Unpaused stream.", ct);
    }

    /// <summary>Sends an onStatus (level "status" or "error") on the media stream, as publish and play replies go.</summary>
    private ValueTask SendStatusAsync(string level, string code, string description, CancellationToken ct) =>
        SendOnStreamAsync(ServerCommands.OnStatus(level, code, description), ct);

    /// <summary>Sends a command on the media stream's chunk stream.</summary>
    private ValueTask SendOnStreamAsync(byte[] command, CancellationToken ct) =>
        _output.SendCommandAsync(command, RtmpOutput.MediaStreamId, ct, ChunkStreams.OverStream);

    private static byte[] BuildSampleAccess()
    {
        var w = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteValue(w, "|RtmpSampleAccess");
        Amf0Writer.WriteValue(w, false);
        Amf0Writer.WriteValue(w, false);
        return w.WrittenSpan.ToArray();
    }

    private void BindSource(StreamKey key, IActorRef source)
    {
        _stream = key;
        _source = source;
    }

    private async Task LeaveStreamAsync()
    {
        if (_source is null || _stream is not { } key) return;
        var wasPublisher = _playerQueue is null;
        _source.Tell(wasPublisher ? new Unpublish(_client.Id) : new StopPlay(_client.Id), _connection);
        _source = null;
        if (_hooks.Any) await _hooks.CallAsync(wasPublisher ? HookEvent.OnUnpublish : HookEvent.OnStop, _client, key, Warn);
    }
}
