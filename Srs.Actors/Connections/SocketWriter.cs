using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Srs.Actors.Connections;

/// <summary>
/// The write side of an RTMP connection for what is not media (handshake, command replies,
/// protocol control): a <see cref="PipeWriter"/> whose flush is one non-blocking send of a pooled
/// buffer, given back as soon as it is out. Only a send the socket cannot take at once goes
/// asynchronous, so a connection that never fills its socket buffer never holds the socket's
/// asynchronous send state (players' media goes out on its own path, see <c>SocketMediaPump</c>).
/// </summary>
public sealed class SocketWriter : PipeWriter
{
    private const int MinimumBuffer = 4096;

    private readonly Socket _socket;
    private byte[]? _buffer;
    private int _written;
    private bool _completed;

    public SocketWriter(Socket socket)
    {
        _socket = socket;
        socket.Blocking = false; // synchronous sends take what fits (asynchronous calls are unaffected)
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        if (bytes < 0 || _buffer is null || _written + bytes > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(bytes));
        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_written == 0) return new ValueTask<FlushResult>(default(FlushResult));
        var sent = _socket.Send(_buffer!, 0, _written, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) sent = 0;
        else if (error != SocketError.Success) throw new SocketException((int)error);
        if (sent == _written)
        {
            Release();
            return new ValueTask<FlushResult>(default(FlushResult));
        }
        return SendRestAsync(sent, cancellationToken);
    }

    /// <summary>Sends are gathered into one flush by the caller; there is no pending flush to cancel.</summary>
    public override void CancelPendingFlush() { }

    /// <remarks>A flush gives its buffer back once its bytes are out; bytes never flushed go with the writer.</remarks>
    public override void Complete(Exception? exception = null) => _completed = true;

    private async ValueTask<FlushResult> SendRestAsync(int offset, CancellationToken ct)
    {
        // Socket.SendAsync completes when every byte is sent.
        await _socket.SendAsync(_buffer.AsMemory(offset, _written - offset), SocketFlags.None, ct).ConfigureAwait(false);
        Release();
        return default;
    }

    private byte[] Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var need = _written + Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(need, MinimumBuffer));
        }
        else if (need > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(need, _buffer.Length * 2));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _written);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer;
    }

    private void Release()
    {
        _written = 0;
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
