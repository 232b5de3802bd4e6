using Akka.Actor;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Node.Upgrade;

/// <summary>
/// Serves this node's streams to the other process of an upgrade in place: a <see cref="PrivateSocket"/>
/// whose connections are RTMP clients like any, handed to the connection manager. It stays open
/// through the quit, until the process exits: the next process pulls from here while this one
/// drains, and this one pulls from the next once its encoders have moved.
/// </summary>
public static class UpgradeMediaSocket
{
    /// <summary>Null (logged) when the socket cannot be opened: the other process then serves only its own streams.</summary>
    public static PrivateSocket? Start(IActorRef connections, ILogger log) =>
        PrivateSocket.Start("media", "serves streams to the other process of an upgrade",
            "an upgrade's other process will serve only its own streams", socket => connections.Tell(new Accepted(socket)), log);
}
