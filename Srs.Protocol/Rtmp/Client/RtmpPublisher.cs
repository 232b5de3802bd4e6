using Srs.Protocol.Amf;
using Srs.Protocol.Flv;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Messages;

namespace Srs.Protocol.Rtmp.Client;

/// <summary>
/// A publish that follows the server's reconnect requests (<see cref="ReconnectRequest"/>), make
/// before break: when asked, it opens and publishes a second connection while media still goes to
/// the first; at the next video keyframe it sends the metadata and sequence headers, then that
/// keyframe, on the new connection, and closes the old one (deleteStream first). Timestamps go on
/// unchanged. How a connection is opened (socket, handshake, connect advertising
/// <see cref="RtmpClientOptions.HonoursReconnect"/>, createStream) is the caller's.
/// </summary>
public sealed class RtmpPublisher : IAsyncDisposable
{
    /// <summary>Opens a connection up to createStream, to <c>tcUrl</c> when given (a reconnect request named one), else to the first address.</summary>
    public delegate Task<RtmpClientConnection> Opener(string? tcUrl, CancellationToken cancellationToken);

    private readonly Opener _open;
    private readonly string _stream;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private RtmpClientConnection _current;
    private Task<RtmpClientConnection?>? _next;
    private (byte Type, uint Timestamp, byte[] Payload)? _metaData, _videoHeader, _audioHeader;
    private int _moves;

    private RtmpPublisher(Opener open, string stream, RtmpClientConnection first)
    {
        _open = open;
        _stream = stream;
        _current = first;
        first.StatusReceived += OnStatus;
        Watch(first);
    }

    /// <summary>Completes when the connection media goes to ends (the server closed it), not when one is left after a move.</summary>
    public Task Completion => _ended.Task;

    /// <summary>Connections moved to after a reconnect request.</summary>
    public int Moves => Volatile.Read(ref _moves);

    /// <summary>A second connection publishes: the next video keyframe goes there.</summary>
    public bool ReadyToMove
    {
        get { lock (_gate) return _next is { IsCompletedSuccessfully: true, Result: not null }; }
    }

    /// <summary>The connection media goes to now.</summary>
    public RtmpClientConnection Current => _current;

    /// <summary>A move that failed (the publish goes on where it was), with why; raised off the caller's thread.</summary>
    public event Action<Exception>? MoveFailed;

    /// <summary>Opens the first connection and publishes <paramref name="stream"/> (NetStream.Publish.Start).</summary>
    public static async Task<RtmpPublisher> StartAsync(Opener open, string stream, CancellationToken cancellationToken = default)
    {
        var first = await open(null, cancellationToken).ConfigureAwait(false);
        try
        {
            await first.PublishAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await first.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new RtmpPublisher(open, stream, first);
    }

    /// <summary>@setDataFrame onMetaData, kept to be sent again after a move.</summary>
    public ValueTask SendMetaDataAsync(Amf0Object metaData, CancellationToken cancellationToken = default) =>
        SendAsync(ChunkStreams.Data, RtmpMessageType.DataAmf0, 0, ClientCommands.SetDataFrame(metaData), cancellationToken);

    public ValueTask SendVideoAsync(uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendAsync(ChunkStreams.Video, RtmpMessageType.Video, timestamp, payload, cancellationToken);

    public ValueTask SendAudioAsync(uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendAsync(ChunkStreams.Audio, RtmpMessageType.Audio, timestamp, payload, cancellationToken);

    /// <summary>Sends one message; a video keyframe is where a pending move happens.</summary>
    public async ValueTask SendAsync(int chunkStreamId, byte typeId, uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var span = payload.Span;
        if (typeId == RtmpMessageType.DataAmf0 && DataMessages.TryGetMetaData(payload, out _)) _metaData = (typeId, timestamp, payload.ToArray());
        else if (typeId == RtmpMessageType.Video && CodecInspector.IsVideoSequenceHeader(span)) _videoHeader = (typeId, timestamp, payload.ToArray());
        else if (typeId == RtmpMessageType.Audio && CodecInspector.IsAudioSequenceHeader(span)) _audioHeader = (typeId, timestamp, payload.ToArray());
        else if (typeId == RtmpMessageType.Video && CodecInspector.IsVideoKeyframe(span)) await MoveIfReadyAsync(cancellationToken).ConfigureAwait(false);
        await _current.SendMessageAsync(chunkStreamId, typeId, timestamp, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the publish: deleteStream, then the connection closes (and a move under way is dropped).</summary>
    public async ValueTask DisposeAsync()
    {
        _closing.Cancel();
        Task<RtmpClientConnection?>? next;
        lock (_gate) next = _next;
        if (next is not null && await next.ConfigureAwait(false) is { } opened) await opened.DisposeAsync().ConfigureAwait(false);
        await CloseAsync(_current).ConfigureAwait(false);
        _closing.Dispose();
    }

    private void OnStatus(RtmpStatus status)
    {
        if (!status.IsReconnectRequest || _closing.IsCancellationRequested) return;
        lock (_gate)
        {
            if (_next is not null) return; // a move is under way already
            _next = OpenNextAsync(status.TcUrl);
        }
    }

    private async Task<RtmpClientConnection?> OpenNextAsync(string? tcUrl)
    {
        RtmpClientConnection? next = null;
        try
        {
            next = await _open(tcUrl, _closing.Token).ConfigureAwait(false);
            await next.PublishAsync(_stream, _closing.Token).ConfigureAwait(false);
            return next;
        }
        catch (Exception e)
        {
            if (next is not null) await next.DisposeAsync().ConfigureAwait(false);
            lock (_gate) _next = null; // a later request may try again
            if (!_closing.IsCancellationRequested) MoveFailed?.Invoke(e);
            return null;
        }
    }

    private async ValueTask MoveIfReadyAsync(CancellationToken cancellationToken)
    {
        Task<RtmpClientConnection?>? next;
        lock (_gate)
        {
            next = _next;
            if (next is not { IsCompletedSuccessfully: true, Result: not null }) return;
            _next = null;
        }
        var moved = next.Result!;
        foreach (var (type, timestamp, payload) in new[] { _metaData, _videoHeader, _audioHeader }.OfType<(byte, uint, byte[])>())
            await moved.SendMessageAsync(ChunkOf(type), type, timestamp, payload, cancellationToken).ConfigureAwait(false);
        var old = _current;
        old.StatusReceived -= OnStatus;
        moved.StatusReceived += OnStatus;
        _current = moved;
        Watch(moved);
        Interlocked.Increment(ref _moves);
        _ = CloseAsync(old);
    }

    private void Watch(RtmpClientConnection connection) =>
        connection.Completion.ContinueWith(_ => { if (ReferenceEquals(_current, connection)) _ended.TrySetResult(); }, TaskScheduler.Default);

    private static int ChunkOf(byte type) => type switch
    {
        RtmpMessageType.Video => ChunkStreams.Video,
        RtmpMessageType.Audio => ChunkStreams.Audio,
        _ => ChunkStreams.Data,
    };

    private static async Task CloseAsync(RtmpClientConnection connection)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await connection.DeleteStreamAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception) { } // gone already: closing is all that is left
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
