using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Srs.Node.Upgrade;

/// <summary>
/// Upgrade in place without losing a connection (docs/operations.md, Upgrading in place on bare metal), as nginx, HAProxy and
/// Envoy do it: a new process asks the running one, over a Unix socket (srs.upgrade-socket), for
/// its listening sockets and accepts on those very sockets instead of binding new ones. Both
/// processes then take connections from one kernel accept queue, so when the old one stops
/// listening nothing queued is lost (with only SO_REUSEPORT each process has its own queue, and
/// Linux resets what is left in a queue when its socket closes).
/// <para>The exchange, one SOCK_SEQPACKET message each:</para>
/// <list type="number">
/// <item>new → old: <c>SRS-UPGRADE/1 TAKE</c></item>
/// <item>old → new: <c>SRS-UPGRADE/1 LISTENERS n name... media=NAME stats=NAME</c> with the n
/// descriptors (SCM_RIGHTS); the NAMEs are the abstract Unix sockets where the old process serves
/// its streams (<see cref="UpgradeMediaSocket"/>) and its part of the HTTP API
/// (<see cref="UpgradeStatsSocket"/>)</item>
/// <item>new → old, once it serves: <c>SRS-UPGRADE/1 TOOK m</c>; the old process then stops
/// serving the upgrade socket, whose path the new one has taken over.</item>
/// <item>The connection stays open as the upgrade link: new → old <c>SRS-UPGRADE/1 MEDIA NAME</c>
/// (where the new process serves its streams, for the old one's viewers once their encoders have
/// moved) and <c>SRS-UPGRADE/1 STATS NAME</c>; old → new <c>SRS-UPGRADE/1 DRAINING</c> when the old
/// process stops accepting; either way <c>SRS-UPGRADE/1 FINAL {counters}</c> as a process exits
/// (<see cref="UpgradeNeighbours"/>). Its end means that the other process has exited.</item>
/// </list>
/// Only a process of the same user (or root) is answered; the socket file is mode 0600.
/// </summary>
public static class ListenerHandover
{
    public const string Take = "SRS-UPGRADE/1 TAKE";
    public const string Listeners = "SRS-UPGRADE/1 LISTENERS";
    public const string Took = "SRS-UPGRADE/1 TOOK";
    public const string Draining = "SRS-UPGRADE/1 DRAINING";
    public const string Media = "SRS-UPGRADE/1 MEDIA";
    public const string Stats = "SRS-UPGRADE/1 STATS";
    public const string Final = "SRS-UPGRADE/1 FINAL";
    /// <summary>The LISTENERS message's words naming the old process's private sockets.</summary>
    public const string MediaPrefix = "media=", StatsPrefix = "stats=";
    public const int MaxMessage = 1024;

    /// <summary>The rest of an upgrade link message after <paramref name="verb"/> and a space, or null.</summary>
    public static string? Argument(string message, string verb) =>
        message.Length > verb.Length + 1 && message.StartsWith(verb, StringComparison.Ordinal) && message[verb.Length] == ' '
            ? message[(verb.Length + 1)..] : null;

    /// <summary>Sends one message on an upgrade link; nothing when the other process has gone.</summary>
    public static void Tell(Socket link, string message)
    {
        try { link.Send(Encoding.ASCII.GetBytes(message)); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    /// <summary>How long the new process waits for the old one's answer.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Asks the node serving <paramref name="path"/> for its listening sockets. Never throws: when
    /// nothing answers (no file, a stale file, a timeout, upgrade-socket off) the result is empty
    /// and says why, and the caller binds fresh sockets.
    /// </summary>
    public static InheritedListeners Request(string? path, TimeSpan? timeout = null)
    {
        if (path is null) return InheritedListeners.None("upgrade-socket is off");
        if (!OperatingSystem.IsLinux()) return InheritedListeners.None("listener handover needs Linux");
        if (!File.Exists(path)) return InheritedListeners.None($"no running node at {path}");

        var conn = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        var sockets = new List<Socket>();
        try
        {
            conn.Connect(new UnixDomainSocketEndPoint(path));
            var (pid, uid) = UnixFdPassing.PeerCredentials(conn);
            if (!UnixFdPassing.IsTrusted(uid))
            {
                conn.Dispose();
                return InheritedListeners.None($"{path} is served by pid {pid} of another user (uid {uid}): not taking its sockets");
            }
            conn.Send(Encoding.ASCII.GetBytes(Take));
            var (payload, fds) = UnixFdPassing.Receive(conn, MaxMessage, timeout ?? AnswerTimeout);
            var text = Encoding.ASCII.GetString(payload);
            foreach (var fd in fds)
            {
                // Ours now. Disposing one later closes only our descriptor: it has no pending
                // operation then, so .NET does a plain close().
                var s = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
                if (ListenerSet.IsListeningTcp(s)) sockets.Add(s);
                else s.Dispose();
            }
            if (!text.StartsWith(Listeners, StringComparison.Ordinal))
                throw new IOException($"unexpected answer '{text}'");
            string? Word(string prefix) => text.Split(' ').FirstOrDefault(w => w.StartsWith(prefix, StringComparison.Ordinal) && w.Length > prefix.Length)?[prefix.Length..];
            return new InheritedListeners(pid, path, conn, sockets, null) { MediaSocket = Word(MediaPrefix), StatsSocket = Word(StatsPrefix) };
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            foreach (var s in sockets) s.Dispose();
            conn.Dispose();
            var why = e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable }
                ? $"no running node at {path} (a stale socket file)"
                : $"the node at {path} did not hand over its sockets: {e.Message}";
            return InheritedListeners.None(why);
        }
    }
}

/// <summary>
/// Listening sockets received from the previous process, taken one by one by address:port as the
/// node creates its listeners. <see cref="Confirm"/> tells the previous process once this one serves.
/// </summary>
public sealed class InheritedListeners
{
    private readonly List<Socket> _sockets;
    private readonly List<string> _taken = [];
    private Socket? _connection;
    private Socket? _link;

    internal InheritedListeners(int? fromPid, string? path, Socket? connection, List<Socket> sockets, string? whyNone)
    {
        FromPid = fromPid;
        Path = path;
        _connection = connection;
        _sockets = sockets;
        WhyNone = whyNone;
    }

    public static InheritedListeners None(string why) => new(null, null, null, [], why);

    /// <summary>The previous process, when one answered.</summary>
    public int? FromPid { get; }
    public string? Path { get; }
    /// <summary>Where the previous process serves its streams (an abstract Unix socket name), when it does.</summary>
    public string? MediaSocket { get; init; }
    /// <summary>Where the previous process serves its part of the HTTP API, when it does.</summary>
    public string? StatsSocket { get; init; }
    /// <summary>Why nothing was received (null when a process answered).</summary>
    public string? WhyNone { get; }
    public int Received => _sockets.Count + _taken.Count;
    public IReadOnlyList<string> Taken => _taken;

    /// <summary>The received socket listening on <paramref name="endPoint"/>, or null: bind a new one.</summary>
    public Socket? TakeFor(string name, EndPoint endPoint)
    {
        lock (_sockets)
        {
            var index = _sockets.FindIndex(s => Equals(s.LocalEndPoint, endPoint));
            if (index < 0) return null;
            var socket = _sockets[index];
            _sockets.RemoveAt(index);
            _taken.Add($"{name} {endPoint}");
            return socket;
        }
    }

    /// <summary>
    /// Closes (our copies of) the received sockets no listener took, and tells the previous process
    /// how many were taken, so it stops serving the upgrade socket. When the previous process serves
    /// its streams or stats, the connection is kept as the upgrade link (<see cref="TakeLink"/>).
    /// </summary>
    public IReadOnlyList<string> Confirm()
    {
        List<string> unused;
        lock (_sockets)
        {
            unused = _sockets.Select(s => s.LocalEndPoint?.ToString() ?? "?").ToList();
            foreach (var s in _sockets) s.Dispose();
            _sockets.Clear();
        }
        var conn = Interlocked.Exchange(ref _connection, null);
        if (conn is not null)
        {
            var sent = true;
            try { conn.Send(Encoding.ASCII.GetBytes($"{ListenerHandover.Took} {_taken.Count}")); }
            catch (SocketException) { sent = false; } // it quit meanwhile: nothing to tell
            if (sent && (MediaSocket ?? StatsSocket) is not null) _link = conn;
            else conn.Dispose();
        }
        return unused;
    }

    /// <summary>The upgrade link to the previous process, once confirmed (null when it serves neither streams nor stats); the caller owns it.</summary>
    public Socket? TakeLink() => Interlocked.Exchange(ref _link, null);

    /// <summary>Startup failed: close everything, tell the previous process nothing (it keeps serving).</summary>
    public void Abandon()
    {
        lock (_sockets)
        {
            foreach (var s in _sockets) s.Dispose();
            _sockets.Clear();
        }
        Interlocked.Exchange(ref _connection, null)?.Dispose();
        Interlocked.Exchange(ref _link, null)?.Dispose();
    }
}
