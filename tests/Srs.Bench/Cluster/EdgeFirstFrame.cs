using System.Diagnostics;
using System.Net.Sockets;
using Srs.Protocol.Rtmp;
using Srs.Bench.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Cluster;

/// <summary>
/// Plays a stream from a node (the project's RTMP client) until its first video frame, then
/// leaves: how soon a stream published on an origin is playable from an edge. An edge answers
/// the play at once and waits for the directory to name an origin; the frame comes once it has
/// pulled the stream.
/// </summary>
public static class EdgeFirstFrame
{
    /// <summary>The Stopwatch timestamp of the first video frame (not a sequence header), or why there was none.</summary>
    public static async Task<(long At, string? Error)> PlayAsync(RtmpUrl url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var ct = limit.Token;
        try
        {
            await using var client = await RtmpStreamClient.OpenAsync(url, ct);
            var rtmp = client.Rtmp;
            await rtmp.PlayAsync(url.Stream, ct);
            await foreach (var message in rtmp.ReadMediaAsync(ct))
            {
                if (message.TypeId == RtmpMessageType.Video && message.Payload.Length > 1 && message.Payload.Span[1] != 0)
                    return (Stopwatch.GetTimestamp(), null);
            }
            return (0, "the node closed the connection before a frame");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (0, $"no frame within {timeout.TotalSeconds:0} s");
        }
        catch (RtmpStatusException e) { return (0, e.Status.Code); }
        catch (SocketException e) { return (0, "socket: " + e.SocketErrorCode); }
        catch (Exception e) when (e is IOException or RtmpProtocolException or ObjectDisposedException)
        {
            return (0, e.GetType().Name + ": " + e.Message);
        }
    }
}
