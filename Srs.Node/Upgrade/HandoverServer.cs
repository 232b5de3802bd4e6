using System.Net.Sockets;
using System.Text;
using Srs.Actors.Lifecycle;

namespace Srs.Node.Upgrade;

/// <summary>
/// Serves this node's listening sockets on srs.upgrade-socket to the next process (see
/// <see cref="ListenerHandover"/>). It takes the path over from its predecessor at start, stops
/// serving once a successor confirms it took over (the path is the successor's then) or when the
/// quit reaches service-unbind (nothing left to hand over), and removes the path at the end only
/// if it is still its own. The connection of the successor that took over stays open as the
/// upgrade link: it says where the successor serves its streams (<see cref="SuccessorMedia"/>) and
/// its part of the HTTP API (<see cref="UpgradeNeighbours"/>), is told when this process drains
/// (service-unbind), and is told this process's final counters before it closes as it exits.
/// </summary>
public sealed class HandoverServer : IServiceListener, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);
    /// <summary>A successor confirms once it serves: its startup, on a busy machine.</summary>
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromMinutes(2);

    private readonly string? _path;
    private readonly ListenerSet _listeners;
    private string? _mediaSocket;
    private string? _statsSocket;
    private UpgradeNeighbours? _neighbours;
    /// <summary>Upgrade links to successors that took over (guarded by _gate), closed when this process exits.</summary>
    private readonly List<Socket> _successors = new();
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    /// <summary>The process exits: a successor's confirmation is no longer awaited (a stop alone still awaits it, for the link).</summary>
    private readonly CancellationTokenSource _exit = new();
    private readonly Lock _gate = new();
    private Socket? _socket;
    private DateTime _boundAt;
    private bool _handedOver;
    private bool _stopped;
    private bool _draining;
    private bool _disposed;

    /// <summary>A successor said where it serves its streams (its media socket's name).</summary>
    public event Action<string>? SuccessorMedia;

    /// <summary>A successor's upgrade link closed: it has exited.</summary>
    public event Action? SuccessorGone;

    public HandoverServer(string? path, ListenerSet listeners, ILogger log)
    {
        _path = path;
        _listeners = listeners;
        _log = log;
    }

    public string Name => "upgrade-socket";

    /// <summary>Binds the path (replacing a predecessor's or a stale file) and starts answering.</summary>
    /// <param name="mediaSocket">Where a successor pulls this node's streams (<see cref="UpgradeMediaSocket"/>), or null.</param>
    /// <param name="statsSocket">Where a successor reads this process's part of the API (<see cref="UpgradeStatsSocket"/>), or null.</param>
    /// <param name="neighbours">Told of successors' stats sockets and exits, and asked for the final counters.</param>
    public void Start(string? mediaSocket, string? statsSocket, UpgradeNeighbours? neighbours)
    {
        _mediaSocket = mediaSocket;
        _statsSocket = statsSocket;
        _neighbours = neighbours;
        if (_path is null || !OperatingSystem.IsLinux()) return;
        lock (_gate) if (_stopped) return; // a quit began during startup: nothing to hand over
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            var dir = Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            // Bound under a name of its own, then renamed over the path: the predecessor's (it has
            // answered us, or did not answer at all) or a stale file is replaced atomically, and
            // .NET, which deletes the file a Unix socket was bound to when it is disposed, deletes
            // only that first name (gone by then), never the path a successor has taken over.
            var bindPath = $"{_path}.{Environment.ProcessId}";
            File.Delete(bindPath);
            socket.Bind(new UnixDomainSocketEndPoint(bindPath));
            // Anyone who can connect gets the listening sockets: owner only, set before listen().
            File.SetUnixFileMode(bindPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(8);
            _boundAt = File.GetLastWriteTimeUtc(bindPath);
            File.Move(bindPath, _path, overwrite: true);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            socket.Dispose();
            _log.LogWarning("cannot serve the upgrade socket {Path}: {Error}; a new process will bind its own sockets (SO_REUSEPORT)", _path, e.Message);
            return;
        }
        bool stopped;
        lock (_gate)
        {
            stopped = _stopped;
            if (!stopped) _socket = socket;
        }
        if (stopped)
        {
            socket.Dispose();
            DeleteOwnPath();
            return;
        }
        _log.LogInformation("serving the listening sockets to the next process on {Path}", _path);
        _ = AcceptLoopAsync(socket, _stop.Token);
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket conn;
            try { conn = await socket.AcceptAsync(ct); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                _log.LogWarning("upgrade socket accept failed: {Error}", e.Message);
                await Task.Delay(100, CancellationToken.None);
                continue;
            }
            _ = Task.Run(() => ServeAsync(conn));
        }
    }

    private async Task ServeAsync(Socket conn)
    {
        var kept = false;
        try { kept = await ExchangeAsync(conn); }
        finally { if (!kept) conn.Dispose(); }
    }

    /// <summary>One successor's exchange; true when it took over and <paramref name="conn"/> is kept as its upgrade link.</summary>
    private async Task<bool> ExchangeAsync(Socket conn)
    {
        int pid;
        try
        {
            (pid, var uid) = UnixFdPassing.PeerCredentials(conn);
            if (!UnixFdPassing.IsTrusted(uid))
            {
                _log.LogWarning("upgrade socket: refusing pid {Pid} of another user (uid {Uid})", pid, uid);
                return false;
            }
            var (request, _) = UnixFdPassing.Receive(conn, ListenerHandover.MaxMessage, RequestTimeout);
            if (Encoding.ASCII.GetString(request) != ListenerHandover.Take) return false;

            var sent = _listeners.With(open =>
            {
                lock (_gate) if (_stopped) return null;
                var names = string.Join(' ', open.Select(o => o.Name));
                var media = _mediaSocket is null ? "" : $" {ListenerHandover.MediaPrefix}{_mediaSocket}";
                var stats = _statsSocket is null ? "" : $" {ListenerHandover.StatsPrefix}{_statsSocket}";
                UnixFdPassing.Send(conn, Encoding.ASCII.GetBytes($"{ListenerHandover.Listeners} {open.Count} {names}".TrimEnd() + media + stats),
                    open.Select(o => (System.Runtime.InteropServices.SafeHandle)o.Socket.SafeHandle).ToList(), RequestTimeout);
                return string.Join(", ", open.Select(o => $"{o.Name} {o.Socket.LocalEndPoint}"));
            });
            if (sent is null) return false;
            _log.LogInformation("pid {Pid} asked for the listening sockets: sent {Sockets}", pid, sent.Length == 0 ? "none" : sent);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            _log.LogWarning("upgrade socket: an exchange failed: {Error}", e.Message);
            return false;
        }

        var answer = new byte[ListenerHandover.MaxMessage];
        int got;
        try
        {
            using var confirmWait = CancellationTokenSource.CreateLinkedTokenSource(_exit.Token);
            confirmWait.CancelAfter(ConfirmTimeout);
            got = await conn.ReceiveAsync(answer, SocketFlags.None, confirmWait.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            got = 0;
        }
        var text = Encoding.ASCII.GetString(answer, 0, got);
        if (!text.StartsWith(ListenerHandover.Took, StringComparison.Ordinal))
        {
            _log.LogInformation("pid {Pid} did not confirm a takeover (it may have failed to start): still serving the upgrade socket", pid);
            return false;
        }
        bool keep, draining;
        lock (_gate)
        {
            _handedOver = true;
            keep = !_disposed;
            draining = _draining;
            if (keep) _successors.Add(conn);
        }
        _log.LogInformation("pid {Pid} took over {Count} listening sockets and serves the upgrade socket now; both processes accept on them until this one quits{Media}",
            pid, text[ListenerHandover.Took.Length..].Trim(), _mediaSocket is null ? "" : "; it pulls the streams it lacks from this one meanwhile");
        StopServing();
        if (keep && draining) TellDraining(conn);
        if (keep) _ = FollowSuccessorAsync(conn, pid);
        return keep;
    }

    /// <summary>Reads the successor's side of the upgrade link until it closes.</summary>
    private async Task FollowSuccessorAsync(Socket link, int pid)
    {
        var buffer = new byte[ListenerHandover.MaxMessage];
        try
        {
            while (true)
            {
                var got = await link.ReceiveAsync(buffer, SocketFlags.None);
                if (got == 0) break;
                var text = Encoding.ASCII.GetString(buffer, 0, got);
                if (ListenerHandover.Argument(text, ListenerHandover.Media) is { } media) SuccessorMedia?.Invoke(media);
                else if (ListenerHandover.Argument(text, ListenerHandover.Stats) is { } stats) _neighbours?.Linked(pid, stats, older: false);
                else if (ListenerHandover.Argument(text, ListenerHandover.Final) is { } final) _neighbours?.Told(pid, final);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        lock (_gate)
        {
            if (_disposed) return; // this process is exiting: it closed the link itself
            _successors.Remove(link);
        }
        link.Dispose();
        _log.LogInformation("pid {Pid}, which took over the listening sockets, has exited", pid);
        _neighbours?.Exited(pid);
        SuccessorGone?.Invoke();
    }

    private static void TellDraining(Socket link) => ListenerHandover.Tell(link, ListenerHandover.Draining);


    /// <summary>A successor took the listening sockets and still runs (its upgrade link is open).</summary>
    public bool HasSuccessor
    {
        get { lock (_gate) return _successors.Count > 0; }
    }

    /// <summary>Stops answering; removes the path unless a successor has taken it.</summary>
    private void StopServing()
    {
        Socket? socket;
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            socket = _socket;
            _socket = null;
        }
        _stop.Cancel();
        socket?.Dispose();
        if (socket is not null) DeleteOwnPath();
    }

    /// <summary>Removes the path if it is still ours: no successor confirmed, and it is the file we bound.</summary>
    private void DeleteOwnPath()
    {
        if (_path is null) return;
        try
        {
            bool handedOver;
            lock (_gate) handedOver = _handedOver;
            if (!handedOver && File.Exists(_path) && File.GetLastWriteTimeUtc(_path) == _boundAt) File.Delete(_path);
        }
        catch (IOException) { }
    }

    /// <summary>service-unbind: the listeners are closing, so there is nothing left to hand over.</summary>
    /// <remarks>Successors learn that this process drains: a publish there may now take a stream over from it.</remarks>
    public Task UnbindAsync()
    {
        StopServing();
        List<Socket> successors;
        lock (_gate)
        {
            _draining = true;
            successors = [.. _successors];
        }
        foreach (var link in successors) TellDraining(link);
        return Task.CompletedTask;
    }

    public void Abort() => StopServing();

    /// <summary>The process is exiting: the successors are told its final counters, then their links close (they stop pulling from here).</summary>
    public void Dispose()
    {
        StopServing();
        _exit.Cancel();
        List<Socket> successors;
        lock (_gate)
        {
            _disposed = true;
            successors = [.. _successors];
            _successors.Clear();
        }
        var final = successors.Count > 0 ? _neighbours?.FinalMessage(toOlder: false) : null;
        foreach (var link in successors)
        {
            if (final is not null) ListenerHandover.Tell(link, final);
            link.Dispose();
        }
    }
}
