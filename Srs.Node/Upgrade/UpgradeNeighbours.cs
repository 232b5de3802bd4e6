using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Srs.Node.Http;

namespace Srs.Node.Upgrade;

/// <summary>Which processes a <see cref="NodeView"/> covers, seen from the one asked.</summary>
public enum ViewScope
{
    /// <summary>This process and every process linked to it: what the HTTP API reports.</summary>
    All,
    /// <summary>This process and the older ones (asked by the next process).</summary>
    Older,
    /// <summary>This process and the newer ones (asked by the previous process).</summary>
    Newer,
}

/// <summary>
/// The other processes of an upgrade in place that this one is linked to (the one it took the
/// listening sockets from, and those that took them from it), and the HTTP API's view over all of
/// them: whichever process answers on the shared API port, the clients, streams and counters are
/// those of both. Each process serves its part on a <see cref="PrivateSocket"/>
/// (<see cref="UpgradeStatsSocket"/>), asked at every API request, older and newer ones in turn.
/// <para>Counters never go backwards: when a linked process exits, its last counters (told on the
/// upgrade link as it exits, else the last ones read) are carried by this one from then on.</para>
/// </summary>
public sealed class UpgradeNeighbours(Func<NodeView> local, ILogger log)
{
    /// <summary>How long an API request waits for the other process's part.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    private sealed record Link(int Pid, string Socket, bool Older);

    private readonly Lock _gate = new();
    private readonly List<Link> _links = [];
    /// <summary>The last view read from (or told by) each linked process, by pid: kept when it exits.</summary>
    private readonly Dictionary<int, NodeView> _last = [];
    private ServiceCounters _carried = ServiceCounters.Zero;

    /// <summary>This process's own view, with the counters of linked processes that have exited.</summary>
    public NodeView Local()
    {
        var view = local();
        ServiceCounters carried;
        lock (_gate) carried = _carried;
        return view with { Counters = view.Counters.Plus(carried) };
    }

    /// <summary>A process linked on the upgrade link serves its part on <paramref name="socket"/>.</summary>
    /// <param name="older">It is the process this one took the listening sockets from.</param>
    public void Linked(int pid, string socket, bool older)
    {
        lock (_gate)
        {
            _links.RemoveAll(l => l.Pid == pid);
            _links.Add(new Link(pid, socket, older));
        }
    }

    /// <summary>A linked process told its final view as it exits (<see cref="FinalMessage"/>).</summary>
    public void Told(int pid, string json)
    {
        NodeView? view;
        try { view = JsonSerializer.Deserialize(json, ApiJsonContext.Default.NodeView); }
        catch (JsonException e)
        {
            log.LogWarning("pid {Pid} told unreadable counters as it exited: {Error}", pid, e.Message);
            return;
        }
        if (view is not null) lock (_gate) _last[pid] = Later(_last.GetValueOrDefault(pid), view);
    }

    /// <summary>A linked process has exited: its counters stay, carried by this one.</summary>
    public void Exited(int pid)
    {
        lock (_gate)
        {
            if (_links.RemoveAll(l => l.Pid == pid) == 0) return;
            if (_last.Remove(pid, out var last)) _carried = _carried.Plus(last.Counters);
        }
    }

    /// <summary>This process and the linked ones in <paramref name="scope"/>, each asked in turn.</summary>
    public async Task<NodeView> ViewAsync(ViewScope scope, CancellationToken ct)
    {
        var view = Local();
        Link[] links;
        lock (_gate) links = [.. _links];
        foreach (var link in links)
        {
            if (link.Older ? scope == ViewScope.Newer : scope == ViewScope.Older) continue;
            if (await AskViewAsync(link, link.Older ? ViewScope.Older : ViewScope.Newer, ct) is { } part) view = view.Plus(part);
        }
        return view;
    }

    /// <summary>What an exiting process tells its linked ones: its view toward each (no lists, counters only).</summary>
    public string FinalMessage(bool toOlder)
    {
        var view = ViewAsync(toOlder ? ViewScope.Newer : ViewScope.Older, CancellationToken.None).GetAwaiter().GetResult();
        return $"{ListenerHandover.Final} {JsonSerializer.Serialize(view with { Clients = [], Streams = [] }, ApiJsonContext.Default.NodeView)}";
    }

    /// <summary>Asks the linked process <paramref name="pid"/> to close its client <paramref name="id"/>; false when it has none.</summary>
    public async Task<bool> KickAsync(int pid, string id, CancellationToken ct)
    {
        Link? link;
        lock (_gate) link = _links.Find(l => l.Pid == pid);
        return link is not null && await AskAsync(link, $"{UpgradeStatsSocket.Kick} {id}", ct) == UpgradeStatsSocket.Done;
    }

    /// <summary>The process's part, or the last one read when it does not answer in time (it may be exiting).</summary>
    private async Task<NodeView?> AskViewAsync(Link link, ViewScope scope, CancellationToken ct)
    {
        var json = await AskAsync(link, $"{UpgradeStatsSocket.View} {scope}", ct);
        NodeView? view = null;
        try { if (json is not null) view = JsonSerializer.Deserialize(json, ApiJsonContext.Default.NodeView); }
        catch (JsonException e) { log.LogWarning("pid {Pid} answered an unreadable view: {Error}", link.Pid, e.Message); }
        lock (_gate)
        {
            var last = _last.GetValueOrDefault(link.Pid);
            if (view is null) return last;
            _last[link.Pid] = view = Later(last, view);
            return view;
        }
    }

    private async Task<string?> AskAsync(Link link, string request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(AskTimeout);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint("\0" + link.Socket), timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes(request + "\n"), SocketFlags.None, timeout.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(timeout.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null; // exiting, or too busy to answer in time: the caller uses what it last read
        }
    }

    /// <summary>
    /// <paramref name="next"/>, with counters no lower than <paramref name="last"/>'s: a process's
    /// counters only grow, so a lower reading is an older one (read while a newer was on its way).
    /// </summary>
    private static NodeView Later(NodeView? last, NodeView next)
    {
        if (last is null) return next;
        var (a, b) = (last.Counters, next.Counters);
        return next with
        {
            Counters = new ServiceCounters(Math.Max(a.ConnectionsAccepted, b.ConnectionsAccepted), Math.Max(a.SourcesCreated, b.SourcesCreated),
                Math.Max(a.SourcesPassivated, b.SourcesPassivated), Math.Max(a.BytesIn, b.BytesIn), Math.Max(a.BytesOut, b.BytesOut),
                Math.Max(a.UpstreamBytesIn, b.UpstreamBytesIn), Math.Max(a.UpstreamBytesOut, b.UpstreamBytesOut)),
        };
    }
}
