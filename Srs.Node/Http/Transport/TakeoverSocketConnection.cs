using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Srs.Node.Http.Transport;

/// <summary>
/// One accepted socket as Kestrel sees it: two pipes and the loops that move bytes between them and
/// the socket, as in Kestrel's socket transport, plus <see cref="ISocketTakeoverFeature"/>. Once a
/// request has taken the socket over, the loops have stopped using it, and aborting or disposing the
/// connection leaves it open: Kestrel's state for the connection goes, the socket stays with its new owner.
/// </summary>
public sealed class TakeoverSocketConnection : ConnectionContext, ISocketTakeoverFeature,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    private const int ReceiveSize = 4096;
    // A request's head is small (Kestrel refuses heads over 32 KB); a response is streamed.
    private const long PauseAt = 64 * 1024;
    private static long _lastId;

    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly Lock _lock = new();
    private readonly FeatureCollection _features = new();
    private bool _takenOver;
    private bool _shutDown;
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private string? _id;
    private IDictionary<object, object?>? _items;

    private TakeoverSocketConnection(Socket socket)
    {
        _socket = socket;
        var pool = MemoryPool<byte>.Shared;
        _input = new Pipe(new PipeOptions(pool, PipeScheduler.ThreadPool, PipeScheduler.ThreadPool, PauseAt, PauseAt / 2, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, PipeScheduler.ThreadPool, PipeScheduler.ThreadPool, PauseAt, PauseAt / 2, useSynchronizationContext: false));
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
        _features.Set<ISocketTakeoverFeature>(this);
    }

    /// <summary>Wraps an accepted socket and starts moving its bytes.</summary>
    public static TakeoverSocketConnection Start(Socket socket)
    {
        var connection = new TakeoverSocketConnection(socket);
        connection._receiving = connection.ReceiveAsync();
        connection._sending = connection.SendAsync();
        return connection;
    }

    public override string ConnectionId
    {
        get => _id ??= "flv-" + Interlocked.Increment(ref _lastId);
        set => _id = value;
    }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public async ValueTask<Socket?> TakeOverAsync()
    {
        lock (_lock)
        {
            if (_shutDown || _takenOver) return null;
            _takenOver = true;
        }
        _stopReceiving.Cancel();
        _input.Writer.CancelPendingFlush(); // a receive loop held back by unread input stops too
        await _receiving.ConfigureAwait(false); // none of the transport's receives is left on the socket
        return _socket;
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        Shutdown();
        _output.Reader.CancelPendingRead(); // the send loop ends with what it has sent
    }

    void IConnectionLifetimeFeature.Abort() => Abort(new ConnectionAbortedException("The connection was aborted by the application."));

    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _sending.ConfigureAwait(false); // ends with a shutdown of the socket unless taken over
        await _receiving.ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for bytes with a zero-byte receive, so an idle keep-alive connection holds no buffer,
    /// then moves them into the input pipe; ends at the peer's close, an abort or a takeover.
    /// </summary>
    private async Task ReceiveAsync()
    {
        Exception? error = null;
        var writer = _input.Writer;
        try
        {
            while (true)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, _stopReceiving.Token).ConfigureAwait(false);
                var n = await _socket.ReceiveAsync(writer.GetMemory(ReceiveSize), SocketFlags.None, _stopReceiving.Token).ConfigureAwait(false);
                if (n == 0) break; // the peer closed its side
                writer.Advance(n);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception e)
        {
            error = AsTransportError(e);
        }
        finally
        {
            writer.Complete(error);
            if (!Volatile.Read(ref _takenOver))
                ThreadPool.UnsafeQueueUserWorkItem(static c => c.FireClosed(), this, preferLocal: false);
        }
    }

    /// <summary>Sends what Kestrel writes; when Kestrel completes its output (or an abort stops the loop), shuts the socket down.</summary>
    private async Task SendAsync()
    {
        Exception? error = null;
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                    for (var sent = 0; sent < segment.Length; )
                        sent += await _socket.SendAsync(segment[sent..], SocketFlags.None).ConfigureAwait(false);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e)
        {
            error = AsTransportError(e);
        }
        finally
        {
            reader.Complete(error);
            Shutdown();
        }
    }

    /// <summary>Tells Kestrel the client has gone (it aborts the request). Off the receive loop: callbacks run inline.</summary>
    private void FireClosed()
    {
        try { _closed.Cancel(); }
        catch (Exception) { } // a callback's failure is Kestrel's to report; it must not take the thread pool down
    }

    /// <summary>Closes the socket once, as Kestrel's transport does, unless a request has taken it over.</summary>
    private void Shutdown()
    {
        lock (_lock)
        {
            if (_shutDown || _takenOver) return;
            _shutDown = true;
        }
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (SocketException) { } // already reset by the peer
        _socket.Dispose();
    }

    /// <summary>
    /// What a loop's failure tells Kestrel through the pipe: nothing when the connection was stopped
    /// on purpose (taken over, or aborted: the socket shut down or disposed), a reset for a socket error.
    /// </summary>
    private Exception? AsTransportError(Exception e) => e switch
    {
        OperationCanceledException when _stopReceiving.IsCancellationRequested => null,
        ObjectDisposedException => null,
        SocketException when Volatile.Read(ref _shutDown) => null,
        SocketException socket => new ConnectionResetException(socket.Message, socket),
        _ => e,
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
