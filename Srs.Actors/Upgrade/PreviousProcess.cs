using Srs.Actors.Cluster;
using Srs.Actors.Streams;

namespace Srs.Actors.Upgrade;

/// <summary>
/// The process this one took its listening sockets from (an upgrade in place), while it runs.
/// Until its publishers have moved here, its streams are pulled from it over its private Unix
/// socket, the way an edge pulls from an origin, so a viewer who lands here during the upgrade
/// gets media (see <see cref="UpgradePeers"/>). Told by the upgrade link when the previous process starts its quit
/// (<see cref="Draining"/>: a publish here may then take a stream over from it) and when it is
/// gone (<see cref="Gone"/>: nothing is pulled from it any more).
/// </summary>
public sealed class PreviousProcess(int pid, string mediaSocket)
{
    private volatile bool _draining;
    private volatile bool _gone;

    public int Pid { get; } = pid;

    /// <summary>Where its streams are played from: an abstract Unix socket name, not a port.</summary>
    public OriginEndpoint Endpoint { get; } = new(OriginEndpoint.PreviousProcess, mediaSocket, 0);

    /// <summary>It has begun its quit: it no longer takes new connections, and its publishers are to move here.</summary>
    public bool Draining => _draining;

    /// <summary>It has exited (or its link broke): its streams can no longer be pulled.</summary>
    public bool Gone => _gone;

    /// <summary>
    /// Asks it whether an encoder publishes a stream there (not a pull from here), so that a second
    /// encoder of that stream is refused here while it serves; null when it cannot be asked.
    /// </summary>
    public Func<StreamKey, CancellationToken, Task<bool>>? Publishes { get; set; }

    public void MarkDraining() => _draining = true;

    public void MarkGone() => _gone = true;
}
