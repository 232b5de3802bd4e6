using System.Net.Sockets;
using System.Security.Cryptography;
using Akka.Actor;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Node.Upgrade;

/// <summary>
/// Serves this node's streams to the next process of an upgrade in place: a Unix socket in the
/// abstract namespace (no file, gone with the process) under a random name that only the
/// listener handover tells, to the process that took the listening sockets. A connection from a
/// process of another user is closed at once; the others are RTMP clients like any, handed to
/// the connection manager. It stays open through the quit, until the process exits: the next
/// process pulls from here while this one drains.
/// </summary>
public sealed class UpgradeMediaSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly IActorRef _connections;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();

    private UpgradeMediaSocket(Socket socket, string name, IActorRef connections, ILogger log)
    {
        _socket = socket;
        Name = name;
        _connections = connections;
        _log = log;
    }

    /// <summary>The abstract socket's name (without its leading NUL), as the handover sends it.</summary>
    public string Name { get; }

    /// <summary>Binds and starts accepting; null (logged) when that fails: the next process then serves only its own streams.</summary>
    public static UpgradeMediaSocket? Start(IActorRef connections, ILogger log)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var name = $"srs-media-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
            socket.Listen(64);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            log.LogWarning("cannot open the socket that serves streams to the next process: {Error}; an upgrade's new process will serve only its own streams", e.Message);
            return null;
        }
        var media = new UpgradeMediaSocket(socket, name, connections, log);
        _ = media.AcceptLoopAsync();
        return media;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _socket.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                _log.LogWarning("upgrade media socket: accept failed: {Error}", e.Message);
                await Task.Delay(100, CancellationToken.None);
                continue;
            }
            int pid;
            uint uid;
            try { (pid, uid) = UnixFdPassing.PeerCredentials(client); }
            catch (SocketException)
            {
                client.Dispose(); // gone before it could be asked who it is
                continue;
            }
            if (!UnixFdPassing.IsTrusted(uid))
            {
                _log.LogWarning("upgrade media socket: refusing pid {Pid} of another user (uid {Uid})", pid, uid);
                client.Dispose();
                continue;
            }
            _connections.Tell(new Accepted(client));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }
}
