using System.Diagnostics;
using System.Net.Sockets;
using Srs.Bench.Media;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Rtmp;

/// <summary>
/// One RTMP publisher of a <see cref="SyntheticStream"/>: TCP connect, handshake, connect,
/// createStream, publish, metadata and sequence headers, then frames paced in real time for the
/// duration, then deleteStream and close.
/// </summary>
public static class StreamPublisher
{
    private static readonly RtmpClientOptions Options = new() { ChunkSize = 60000 };

    /// <summary>Never throws for a failed publish: the outcome says what went wrong.</summary>
    public static async Task<PublishOutcome> RunAsync(RtmpUrl url, SyntheticStream stream, TimeSpan duration,
        PublishCounters counters, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var setup = TimeSpan.Zero;
        long frames = 0, bytes = 0;
        // Everything, set-up included, must end a while after the stream would have.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(duration + TimeSpan.FromSeconds(30));
        var ct = limit.Token;
        counters.OnStarted();
        string? error = null;
        try
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(url.Host, url.Port, ct);
            await using var rtmp = new RtmpClientConnection(tcp.GetStream(), Options);
            await rtmp.HandshakeAsync(ct);
            await rtmp.ConnectAsync(url.App, url.TcUrl, ct);
            await rtmp.CreateStreamAsync(ct);
            await rtmp.PublishAsync(url.Stream, ct);
            setup = Stopwatch.GetElapsedTime(started);

            await rtmp.SendMetaDataAsync(stream.MetaData(), ct);
            foreach (var header in stream.Headers())
                await rtmp.SendMessageAsync(ChunkStreamOf(header), header.TypeId, header.Timestamp, header.Payload, ct);

            var clock = Stopwatch.GetTimestamp();
            foreach (var frame in stream.Frames((uint)duration.TotalMilliseconds))
            {
                var wait = TimeSpan.FromMilliseconds(frame.Timestamp) - Stopwatch.GetElapsedTime(clock);
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct);
                await rtmp.SendMessageAsync(ChunkStreamOf(frame), frame.TypeId, frame.Timestamp, frame.Payload, ct);
                frames++;
                bytes += frame.Payload.Length;
                counters.OnFrame(frame.Payload.Length);
            }

            await rtmp.DeleteStreamAsync(ct);
        }
        catch (RtmpStatusException e) { error = e.Status.Code; }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { error = "timeout"; }
        catch (OperationCanceledException) { error = "cancelled"; }
        catch (SocketException e) { error = "socket: " + e.SocketErrorCode; }
        catch (Exception e) when (e is IOException or RtmpProtocolException or ObjectDisposedException)
        {
            error = e.GetType().Name + ": " + e.Message;
        }
        finally
        {
            counters.OnEnded(error is null);
        }

        return new PublishOutcome(url.Stream, error, setup, frames, bytes, Stopwatch.GetElapsedTime(started));
    }

    private static int ChunkStreamOf(MediaFrame frame) => frame.TypeId == RtmpMessageType.Video
        ? Protocol.Rtmp.Chunking.ChunkStreams.Video
        : Protocol.Rtmp.Chunking.ChunkStreams.Audio;
}
