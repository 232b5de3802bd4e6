using System.Buffers;
using System.IO.Pipelines;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Protocol.Flv;

namespace Srs.Node.Http;

/// <summary>
/// An HTTP-FLV player's media path: each batch becomes FLV tags in the response body and one
/// flush. Kestrel takes the flush at once while its output buffer has room, so a player that
/// keeps up is served on the source's thread; when Kestrel pushes back, the pump waits for it.
/// </summary>
public sealed class FlvMediaPump(PlayerQueue queue, PipeWriter body, ClientStats client, ServerStats stats, CancellationToken ct)
    : MediaPump(queue)
{
    private TimestampRebaser _rebaser; // a mutable struct: not readonly

    protected override ValueTask WriteAsync(ReadOnlySpan<MediaPacket> batch)
    {
        foreach (var p in batch)
        {
            var payload = p.Payload.Span;
            FlvWriter.WriteTagHeader(body.GetSpan(FlvWriter.TagHeaderSize), (byte)p.Kind, _rebaser.Rebase(p), payload.Length);
            body.Advance(FlvWriter.TagHeaderSize);
            body.Write(payload);
            FlvWriter.WritePreviousTagSize(body.GetSpan(FlvWriter.PreviousTagSizeLength), payload.Length);
            body.Advance(FlvWriter.PreviousTagSizeLength);
        }
        var bytes = body.UnflushedBytes;
        var flush = body.FlushAsync(ct);
        if (!flush.IsCompletedSuccessfully) return new ValueTask(AwaitFlushAsync(flush, bytes));
        Check(flush.Result, bytes);
        return ValueTask.CompletedTask;
    }

    private async Task AwaitFlushAsync(ValueTask<FlushResult> flush, long bytes) => Check(await flush.ConfigureAwait(false), bytes);

    private void Check(FlushResult result, long bytes)
    {
        if (result.IsCanceled || result.IsCompleted) throw new IOException("the client closed the connection");
        client.AddBytesOut(bytes);
        stats.AddBytesOut(bytes);
    }
}
