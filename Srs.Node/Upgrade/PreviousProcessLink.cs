using System.Net.Sockets;
using System.Text;
using Srs.Actors.Upgrade;

namespace Srs.Node.Upgrade;

/// <summary>
/// This process's end of the upgrade link (see <see cref="ListenerHandover"/>): tells the previous
/// process where this one serves its streams, then marks the <see cref="PreviousProcess"/>
/// draining when it says so, and gone when the link closes (it exited, or crashed).
/// </summary>
public static class PreviousProcessLink
{
    /// <param name="mediaSocket">Where this process serves its streams (<see cref="UpgradeMediaSocket"/>), or null.</param>
    public static async Task FollowAsync(Socket link, PreviousProcess previous, string? mediaSocket, ILogger log)
    {
        using var _ = link;
        var buffer = new byte[ListenerHandover.MaxMessage];
        try
        {
            if (mediaSocket is not null) link.Send(Encoding.ASCII.GetBytes($"{ListenerHandover.Media} {mediaSocket}"));
            while (true)
            {
                var got = await link.ReceiveAsync(buffer, SocketFlags.None);
                if (got == 0) break;
                if (Encoding.ASCII.GetString(buffer, 0, got) == ListenerHandover.Draining && !previous.Draining)
                {
                    previous.MarkDraining();
                    log.LogInformation("the previous process (pid {Pid}) drains: a publish here takes its stream over from it", previous.Pid);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        previous.MarkGone();
        log.LogInformation("the previous process (pid {Pid}) has exited: no stream is pulled from it any more", previous.Pid);
    }
}
