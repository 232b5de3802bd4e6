using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Srs.Actors.Connections;

/// <summary>
/// The read side of an RTMP connection: a <see cref="PipeReader"/> straight over the socket, with
/// one pooled buffer that is held only while unread bytes are in it. A player's connection is
/// silent for as long as it watches, so what it costs while waiting is what counts: here that is
/// the socket's own zero-byte receive, where a <see cref="NetworkStream"/> and a stream pipe reader
/// add ~1 KB of objects per connection (segments, a cancellation source, a second task).
/// </summary>
/// <remarks>
/// The socket is switched to non-blocking for synchronous calls: a read takes what has arrived
/// and, when nothing has, waits with a zero-byte receive (asynchronous calls are unaffected).
/// The buffer is one array, so a <see cref="ReadResult"/> is always a single segment; it grows
/// when a consumer examines all of it without consuming (a chunk larger than the buffer).
/// <see cref="CancelPendingRead"/> ends the next read; a receive already waiting ends with its
/// token or with the socket's close, as a socket's does.
/// </remarks>
public sealed class SocketReader : PipeReader
{
    private const int MinimumBuffer = 4096;

    private readonly Socket _socket;
    private byte[]? _buffer;
    private int _start;     // the first unconsumed byte
    private int _end;       // the end of the bytes received
    private int _examined;  // the end of what the consumer has seen: a read returns when more than this is there
    private bool _peerClosed;
    private bool _completed;
    private bool _mayHaveMore = true; // the last receive filled the space it was given: try again before waiting
    private volatile bool _cancelNext;

    public SocketReader(Socket socket)
    {
        _socket = socket;
        socket.Blocking = false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // a publisher reads all the time: no box per wait
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryRead(out var result)) return result;
            if (_mayHaveMore && ReceiveAvailable()) continue;
            // Nothing more has arrived: wait for bytes without holding a buffer when none is needed.
            if (_start == _end) ReturnBuffer();
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            _mayHaveMore = true;
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_cancelNext)
        {
            _cancelNext = false;
            result = new ReadResult(Unread, isCanceled: true, isCompleted: _peerClosed);
            return true;
        }
        if (_end > _examined || _peerClosed)
        {
            result = new ReadResult(Unread, isCanceled: false, isCompleted: _peerClosed);
            return true;
        }
        result = default;
        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_buffer is null) return; // the empty sequence of a closed connection: nothing to advance
        var consumedAt = PositionOf(consumed);
        var examinedAt = Math.Max(PositionOf(examined), consumedAt);
        if (consumedAt < _start || examinedAt > _end) throw new InvalidOperationException("position outside the buffer the last read returned");
        _start = consumedAt;
        _examined = examinedAt;
        if (_start == _end) _start = _end = _examined = 0;
    }

    public override void CancelPendingRead() => _cancelNext = true;

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        _start = _end;
        ReturnBuffer();
    }

    private ReadOnlySequence<byte> Unread => _buffer is null
        ? ReadOnlySequence<byte>.Empty
        : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);

    private int PositionOf(SequencePosition position)
    {
        var owner = position.GetObject();
        if (owner is null) return _start; // the empty sequence
        if (!ReferenceEquals(owner, _buffer)) throw new InvalidOperationException("position of a buffer this reader no longer holds");
        return position.GetInteger() & int.MaxValue;
    }

    /// <summary>Takes what the socket holds without waiting: true when bytes came (or the peer closed).</summary>
    private bool ReceiveAvailable()
    {
        MakeRoom();
        var space = _buffer!.Length - _end;
        var n = _socket.Receive(_buffer.AsSpan(_end), SocketFlags.None, out var error);
        _mayHaveMore = n == space;
        switch (error)
        {
            case SocketError.Success when n > 0:
                _end += n;
                return true;
            case SocketError.Success:
                _peerClosed = true;
                return true;
            case SocketError.WouldBlock:
                return false;
            default:
                throw new SocketException((int)error);
        }
    }

    /// <summary>Space after the unread bytes: moved to the front, or a larger buffer when all of it is unread.</summary>
    private void MakeRoom()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(MinimumBuffer);
            return;
        }
        if (_buffer.Length - _end >= MinimumBuffer / 2) return;
        var unread = _end - _start;
        var target = unread + MinimumBuffer / 2 <= _buffer.Length ? _buffer : ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, _start, target, 0, unread);
        if (!ReferenceEquals(target, _buffer)) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = target;
        _examined -= _start;
        _start = 0;
        _end = unread;
    }

    private void ReturnBuffer()
    {
        if (_buffer is null || _start != _end) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = _examined = 0;
    }
}
