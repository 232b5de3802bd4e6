using System.Net.Sockets;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Protocol.Flv;

namespace Srs.Node.Http;

/// <summary>
/// An HTTP-FLV player's media path straight to its socket, as RTMP players are served: each batch
/// is FLV tags in one gathered send (see <see cref="SocketMediaPump"/>), with the shared payloads
/// referenced, not copied through Kestrel's buffers. Used once the endpoint has taken the
/// response over from Kestrel (see <see cref="HttpFlvEndpoint"/>).
/// </summary>
public sealed class FlvSocketPump(PlayerQueue queue, Socket socket, ClientStats client, ServerStats stats)
    : SocketMediaPump(queue, gate: null, socket, client, stats)
{
    private const int TagOverhead = FlvWriter.TagHeaderSize + FlvWriter.PreviousTagSizeLength;
    private TimestampRebaser _rebaser; // a mutable struct: not readonly

    protected override int ScratchNeeded(ReadOnlySpan<MediaPacket> batch)
    {
        var need = 0;
        foreach (var p in batch) need += TagOverhead + (p.Payload.Length < CopyBelow ? p.Payload.Length : 0);
        return need;
    }

    protected override void Layout(ReadOnlySpan<MediaPacket> batch)
    {
        foreach (var p in batch)
        {
            var length = p.Payload.Length;
            FlvWriter.WriteTagHeader(Scratch, (byte)p.Kind, _rebaser.Rebase(p), length);
            Advance(FlvWriter.TagHeaderSize);
            Payload(p.Payload);
            FlvWriter.WritePreviousTagSize(Scratch, length);
            Advance(FlvWriter.PreviousTagSizeLength);
        }
    }
}
