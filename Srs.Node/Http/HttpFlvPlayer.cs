using System.Buffers;
using System.Net.Sockets;
using Akka.Actor;
using Srs.Actors.Connections;
using Srs.Actors.Hooks;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Protocol.Flv;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Node.Http;

/// <summary>
/// One HTTP-FLV player once its source has accepted it: its queue, the ways its media is written
/// (straight to the socket, or through Kestrel's response for HTTP/2), and its end. On a socket taken
/// over from Kestrel (<see cref="Transport.ISocketTakeoverFeature"/>) it outlives its request.
/// </summary>
internal sealed class HttpFlvPlayer(HttpFlvServices services, ClientStats client, StreamKey key, IActorRef connection,
    IActorRef source, PlayerQueue queue, CancellationTokenSource abort)
{
    private const string Stopped = "kicked or client gone";
    private volatile bool _peerClosed;

    /// <summary>
    /// Streams on a socket that is the player's own (taken over from Kestrel) until the client leaves
    /// or is kicked or the source ends; then closes the socket and ends the player.
    /// </summary>
    public async Task StreamOnOwnSocketAsync(Socket socket)
    {
        string reason;
        var watch = WatchForCloseAsync(socket);
        try
        {
            reason = await WriteToSocketAsync(socket);
        }
        catch (OperationCanceledException)
        {
            reason = _peerClosed ? "client closed the connection" : "kicked or source stopped";
        }
        catch (Exception e) when (ConnectionLost.Is(e))
        {
            reason = "connection lost: " + e.Message;
        }
        catch (Exception e)
        {
            reason = "internal error: " + e.Message;
        }
        finally
        {
            socket.Dispose(); // ends the watch too
        }
        await watch; // never fails
        await EndAsync(reason);
    }

    /// <summary>
    /// The response written by hand on the socket: status and headers (the body ends when the
    /// connection closes, as for an HTTP/1.0 stream, so no chunk framing), the FLV header, then the
    /// queue's tags as the source flushes them, sent from the flushing thread (see <see cref="FlvSocketPump"/>).
    /// Kestrel writes nothing for this request; the socket is closed at the end.
    /// </summary>
    public async Task<string> WriteToSocketAsync(Socket socket)
    {
        var ct = abort.Token;
        // A fresh connection's send buffer takes the head at once; an asynchronous send would keep
        // the socket's async send state for the connection's life (~0.4 KB).
        socket.Blocking = false;
        var sent = socket.Send(Head, SocketFlags.None, out _);
        while (sent < Head.Length)
            sent += await socket.SendAsync(Head.AsMemory(sent), SocketFlags.None, ct);
        CountOut(Head.Length);

        var reason = await new FlvSocketPump(queue, socket, client, services.Stats).RunAsync(Stopped, ct);
        ct.ThrowIfCancellationRequested();
        return reason;
    }

    /// <summary>Status line, headers and the FLV header: the same bytes for every player, made once.</summary>
    private static readonly byte[] Head = MakeHead();

    private static byte[] MakeHead()
    {
        var head = new ArrayBufferWriter<byte>();
        head.Write(System.Text.Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nCache-Control: no-cache\r\n" +
            "Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n"));
        FlvWriter.WriteHeader(head, hasAudio: true, hasVideo: true);
        return head.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Through Kestrel's response (HTTP/2, or a connection whose socket is not exposed): the FLV
    /// header, then the queue's tags as the source flushes them (see <see cref="FlvMediaPump"/>),
    /// until the queue ends, the client leaves or the request is aborted (kick).
    /// </summary>
    public async Task<string> WriteToResponseAsync(HttpResponse response)
    {
        var ct = abort.Token;
        response.ContentType = "video/x-flv";
        response.Headers.CacheControl = "no-cache";
        response.Headers.AccessControlAllowOrigin = "*";
        var body = response.BodyWriter;
        FlvWriter.WriteHeader(body, hasAudio: true, hasVideo: true);
        var n = body.UnflushedBytes;
        var flush = await body.FlushAsync(ct);
        if (flush.IsCanceled || flush.IsCompleted) throw new OperationCanceledException();
        CountOut(n);
        // RunAsync returns once no write holds the body any more: the request may end then.
        var reason = await new FlvMediaPump(queue, body, client, services.Stats, ct).RunAsync(Stopped, ct);
        ct.ThrowIfCancellationRequested();
        return reason;
    }

    /// <summary>Leaves the source, ends the connection's actor, logs and calls on_stop.</summary>
    public async Task EndAsync(string reason)
    {
        queue.Complete();
        source.Tell(new StopPlay(client.Id), connection);
        connection.Tell(PoisonPill.Instance);
        services.Logger.LogInformation("client {Id} ({Ip}) closed: {Reason}", client.Id, client.RemoteAddress, reason);
        if (services.Hooks.Any) await services.Hooks.CallAsync(HookEvent.OnStop, client, key, services.Warn);
    }

    /// <summary>
    /// Kestrel no longer watches a socket taken over from it: the client's close (or reset) is seen
    /// here, with a zero-byte receive that holds no buffer. Bytes the client sends are read and dropped.
    /// </summary>
    private async Task WatchForCloseAsync(Socket socket)
    {
        try
        {
            do await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, abort.Token);
            while (!ReadAndDrop(socket));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return; // the player ended first
        }
        catch (Exception)
        {
            // reset by the peer, or the socket failed: the player cannot go on either way
        }
        _peerClosed = true;
        abort.Cancel();
    }

    /// <summary>True when the peer has closed its side. The socket is non-blocking (see <see cref="SocketMediaPump"/>).</summary>
    private static bool ReadAndDrop(Socket socket)
    {
        Span<byte> scratch = stackalloc byte[512];
        var n = socket.Receive(scratch, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) return false;
        if (error != SocketError.Success) throw new SocketException((int)error);
        return n == 0;
    }

    private void CountOut(long bytes)
    {
        client.AddBytesOut(bytes);
        services.Stats.AddBytesOut(bytes);
    }
}
