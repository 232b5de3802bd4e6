using System.Net.Sockets;
using System.Text;
using Srs.Actors.Upgrade;

namespace Srs.Node.Upgrade;

/// <summary>
/// This process's end of the upgrade link (see <see cref="ListenerHandover"/>): tells the previous
/// process where this one serves its streams and its part of the API, then marks the
/// <see cref="PreviousProcess"/> draining when it says so, and gone when the link closes (it
/// exited, or crashed). As this process exits, the previous one is told its final counters.
/// </summary>
public sealed class PreviousProcessLink : IDisposable
{
    private readonly Socket _link;
    private readonly int _pid;
    private readonly PreviousProcess? _previous;
    private readonly UpgradeNeighbours _neighbours;
    private readonly ILogger _log;
    private int _closed;

    private PreviousProcessLink(Socket link, int pid, PreviousProcess? previous, UpgradeNeighbours neighbours, ILogger log)
    {
        _link = link;
        _pid = pid;
        _previous = previous;
        _neighbours = neighbours;
        _log = log;
    }

    /// <param name="previous">What this process pulls from the previous one (origins), or null (edges pull from origins).</param>
    /// <param name="mediaSocket">Where this process serves its streams (<see cref="UpgradeMediaSocket"/>), or null.</param>
    /// <param name="statsSocket">Where this process serves its part of the API (<see cref="UpgradeStatsSocket"/>), or null.</param>
    public static PreviousProcessLink Follow(Socket link, InheritedListeners from, PreviousProcess? previous, string? mediaSocket,
        string? statsSocket, UpgradeNeighbours neighbours, ILogger log)
    {
        var pid = from.FromPid!.Value;
        if (from.StatsSocket is { } theirs) neighbours.Linked(pid, theirs, older: true);
        var follower = new PreviousProcessLink(link, pid, previous, neighbours, log);
        if (mediaSocket is not null) ListenerHandover.Tell(link, $"{ListenerHandover.Media} {mediaSocket}");
        if (statsSocket is not null) ListenerHandover.Tell(link, $"{ListenerHandover.Stats} {statsSocket}");
        _ = follower.ReadAsync();
        return follower;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[ListenerHandover.MaxMessage];
        try
        {
            while (true)
            {
                var got = await _link.ReceiveAsync(buffer, SocketFlags.None);
                if (got == 0) break;
                var text = Encoding.ASCII.GetString(buffer, 0, got);
                if (text == ListenerHandover.Draining && _previous is { Draining: false })
                {
                    _previous.MarkDraining();
                    _log.LogInformation("the previous process (pid {Pid}) drains: a publish here takes its stream over from it", _pid);
                }
                else if (ListenerHandover.Argument(text, ListenerHandover.Final) is { } final) _neighbours.Told(_pid, final);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        if (Volatile.Read(ref _closed) == 1) return; // this process is exiting: it closed the link itself
        _neighbours.Exited(_pid);
        _previous?.MarkGone();
        _log.LogInformation("the previous process (pid {Pid}) has exited{Pull}", _pid, _previous is null ? "" : ": no stream is pulled from it any more");
    }

    /// <summary>This process exits: the previous one is told its final counters, then the link closes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1) return;
        ListenerHandover.Tell(_link, _neighbours.FinalMessage(toOlder: true));
        _link.Dispose();
    }
}
