using System.Diagnostics;
using System.Net.Sockets;
using Srs.Bench.Media;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Play;

/// <summary>
/// Publishes one stamped <see cref="SyntheticStream"/> in real time until cancelled, on the
/// project's <see cref="RtmpClientConnection"/>: each video frame is copied into a reused buffer
/// and stamped with the moment it is handed to the socket and its sequence number (from 1).
/// </summary>
public sealed class StampedPublisher(RtmpUrl url, SyntheticStream stream)
{
    private readonly TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _frames;
    private long _bytes;
    private long _late;

    public RtmpUrl Url { get; } = url;

    /// <summary>Completes at NetStream.Publish.Start; faults if publishing could not start.</summary>
    public Task Published => _published.Task;

    public long Frames => Interlocked.Read(ref _frames);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Frames sent more than 20 ms after they were due (the load tool could not keep the pace).</summary>
    public long LateFrames => Interlocked.Read(ref _late);

    public string? Error { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(Url.Host, Url.Port, ct);
            await using var rtmp = new RtmpClientConnection(tcp.GetStream(), new RtmpClientOptions { ChunkSize = 60000 });
            await rtmp.HandshakeAsync(ct);
            await rtmp.ConnectAsync(Url.App, Url.TcUrl, ct);
            await rtmp.CreateStreamAsync(ct);
            await rtmp.PublishAsync(Url.Stream, ct);
            await rtmp.SendMetaDataAsync(stream.MetaData(), ct);
            foreach (var header in stream.Headers())
                await rtmp.SendMessageAsync(ChunkStreamOf(header), header.TypeId, header.Timestamp, header.Payload, ct);
            _published.TrySetResult();

            var scratch = new byte[Math.Max(stream.KeyframeBytes, stream.InterFrameBytes)];
            uint sequence = 0;
            var clock = Stopwatch.GetTimestamp();
            var lateTicks = Stopwatch.Frequency / 50;
            foreach (var frame in stream.Frames(uint.MaxValue))
            {
                var due = clock + (long)frame.Timestamp * Stopwatch.Frequency / 1000;
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > Stopwatch.Frequency / 1000) await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency), ct);
                ReadOnlyMemory<byte> payload = frame.Payload;
                if (frame.TypeId == RtmpMessageType.Video && stream.Stamped)
                {
                    frame.Payload.Span.CopyTo(scratch);
                    var now = Stopwatch.GetTimestamp();
                    if (now - due > lateTicks) Interlocked.Increment(ref _late);
                    FrameStamp.Set(scratch, now, ++sequence);
                    payload = scratch.AsMemory(0, frame.Payload.Length);
                }
                await rtmp.SendMessageAsync(ChunkStreamOf(frame), frame.TypeId, frame.Timestamp, payload, ct);
                Interlocked.Increment(ref _frames);
                Interlocked.Add(ref _bytes, frame.Payload.Length);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is SocketException or IOException or RtmpProtocolException or RtmpStatusException or ObjectDisposedException)
        {
            Error = e is RtmpStatusException s ? s.Status.Code : e.GetType().Name + ": " + e.Message;
        }
        finally
        {
            _published.TrySetException(new IOException($"publishing {Url} failed: {Error ?? "cancelled"}"));
        }
    }

    private static int ChunkStreamOf(MediaFrame frame) =>
        frame.TypeId == RtmpMessageType.Video ? ChunkStreams.Video : ChunkStreams.Audio;
}
