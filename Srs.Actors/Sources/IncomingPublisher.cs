using Akka.Actor;
using Srs.Actors.Media;

namespace Srs.Actors.Sources;

/// <summary>
/// A publisher taking a stream over from the pull from a draining previous process (make before
/// break): accepted at once, it feeds the players only from its first video keyframe, while the
/// pull goes on until then. Its metadata and sequence headers are kept here meanwhile.
/// </summary>
internal sealed class IncomingPublisher(string clientId, IActorRef connection, int epoch)
{
    public string ClientId { get; } = clientId;
    public IActorRef Connection { get; } = connection;
    public int Epoch { get; } = epoch;
    public MediaPacket? MetaData { get; private set; }
    public MediaPacket? VideoHeader { get; private set; }
    public MediaPacket? AudioHeader { get; private set; }

    /// <summary>Keeps what the players need before its first keyframe; true when <paramref name="packet"/> is that keyframe.</summary>
    public bool Take(MediaPacket packet)
    {
        if (packet.Kind == MediaKind.Script) MetaData = packet;
        else if (packet.IsHeader && packet.IsVideo) VideoHeader = packet;
        else if (packet.IsHeader) AudioHeader = packet;
        else return packet.IsKeyframe;
        return false;
    }

    /// <summary>What goes to the players before its first keyframe, in order.</summary>
    public IEnumerable<MediaPacket> Headers()
    {
        if (MetaData is not null) yield return MetaData;
        if (VideoHeader is not null) yield return VideoHeader;
        if (AudioHeader is not null) yield return AudioHeader;
    }
}
