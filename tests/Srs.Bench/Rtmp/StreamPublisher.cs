using System.Diagnostics;
using System.Net.Sockets;
using Srs.Bench.Media;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Rtmp;

/// <summary>
/// One RTMP publisher of a <see cref="SyntheticStream"/>: TCP connect, handshake, connect,
/// createStream, publish, metadata and sequence headers, then frames paced in real time for the
/// duration (or until stopped), then deleteStream and close. It honours the server's reconnect
/// requests (a node quitting for an upgrade), moving make before break (<see cref="RtmpPublisher"/>).
/// </summary>
public static class StreamPublisher
{
    /// <summary>Longest TCP connect to NetStream.Publish.Start.</summary>
    public static readonly TimeSpan SetupLimit = TimeSpan.FromSeconds(30);

    /// <summary>Never throws for a failed publish: the outcome says what went wrong.</summary>
    /// <param name="published">Called at NetStream.Publish.Start with its <see cref="Stopwatch"/> timestamp.</param>
    /// <param name="stop">Ends the stream before <paramref name="duration"/>, as cleanly (deleteStream, close).</param>
    public static async Task<PublishOutcome> RunAsync(RtmpUrl url, SyntheticStream stream, TimeSpan duration,
        PublishCounters counters, CancellationToken cancellationToken, Action<long>? published = null, CancellationToken stop = default)
    {
        var started = Stopwatch.GetTimestamp();
        var setup = TimeSpan.Zero;
        long frames = 0, bytes = 0;
        // Set-up within its limit, then everything must end a while after the stream would have.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(SetupLimit);
        var ct = limit.Token;
        using var pacing = CancellationTokenSource.CreateLinkedTokenSource(ct, stop);
        counters.OnStarted();
        string? error = null;
        try
        {
            await using var rtmp = await RtmpPublisher.StartAsync((tcUrl, t) => OpenAsync(url, tcUrl, t), url.Stream, ct);
            rtmp.MoveFailed += _ => counters.OnMoveFailed();
            var moves = 0;
            var publishStart = Stopwatch.GetTimestamp();
            setup = Stopwatch.GetElapsedTime(started, publishStart);
            limit.CancelAfter(duration + TimeSpan.FromSeconds(30));
            published?.Invoke(publishStart);

            await rtmp.SendMetaDataAsync(stream.MetaData(), ct);
            foreach (var header in stream.Headers())
                await rtmp.SendAsync(ChunkStreamOf(header), header.TypeId, header.Timestamp, header.Payload, ct);

            var clock = Stopwatch.GetTimestamp();
            foreach (var frame in stream.Frames((uint)duration.TotalMilliseconds))
            {
                var wait = TimeSpan.FromMilliseconds(frame.Timestamp) - Stopwatch.GetElapsedTime(clock);
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    try { await Task.Delay(wait, pacing.Token); }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested) { }
                }
                if (stop.IsCancellationRequested) break;
                await rtmp.SendAsync(ChunkStreamOf(frame), frame.TypeId, frame.Timestamp, frame.Payload, ct);
                if (rtmp.Moves != moves)
                {
                    moves = rtmp.Moves;
                    counters.OnMoved();
                }
                frames++;
                bytes += frame.Payload.Length;
                counters.OnFrame(frame.Payload.Length);
            }

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

    /// <summary>The first connection to <paramref name="url"/>; one for a move to the tcUrl the server named (its host and port).</summary>
    private static async Task<RtmpClientConnection> OpenAsync(RtmpUrl url, string? tcUrl, CancellationToken ct)
    {
        var target = tcUrl is not null && Uri.TryCreate(tcUrl, UriKind.Absolute, out var moved)
            ? url with { Host = moved.Host, Port = moved.IsDefaultPort || moved.Port < 0 ? RtmpUrl.DefaultPort : moved.Port }
            : url;
        var client = await RtmpStreamClient.OpenAsync(target, ct, honoursReconnect: true);
        return client.Rtmp; // its stream owns the socket: disposing the connection closes it
    }

    private static int ChunkStreamOf(MediaFrame frame) => frame.TypeId == RtmpMessageType.Video
        ? Protocol.Rtmp.Chunking.ChunkStreams.Video
        : Protocol.Rtmp.Chunking.ChunkStreams.Audio;
}
