using System.Net.Sockets;
using System.Security.Cryptography;

namespace Srs.Node.Upgrade;

/// <summary>
/// A listening Unix socket in the abstract namespace (no file, gone with the process) under a
/// random name that only the upgrade link tells, to the other process of an upgrade in place. A
/// connection from a process of another user is closed at once; the others go to the handler.
/// </summary>
public sealed class PrivateSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly Action<Socket> _accepted;
    private readonly string _purpose;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();

    private PrivateSocket(Socket socket, string name, Action<Socket> accepted, string purpose, ILogger log)
    {
        _socket = socket;
        Name = name;
        _accepted = accepted;
        _purpose = purpose;
        _log = log;
    }

    /// <summary>The abstract socket's name (without its leading NUL), as the upgrade link sends it.</summary>
    public string Name { get; }

    /// <summary>Binds and starts accepting; null (logged, with <paramref name="without"/>) when that fails.</summary>
    /// <param name="kind">A word in the name, to tell the sockets apart in <c>ss -xl</c>.</param>
    /// <param name="purpose">What the socket is for, in log lines.</param>
    public static PrivateSocket? Start(string kind, string purpose, string without, Action<Socket> accepted, ILogger log)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var name = $"srs-{kind}-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
            socket.Listen(64);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            log.LogWarning("cannot open the socket that {Purpose}: {Error}; {Without}", purpose, e.Message, without);
            return null;
        }
        var listener = new PrivateSocket(socket, name, accepted, purpose, log);
        _ = listener.AcceptLoopAsync();
        return listener;
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
                _log.LogWarning("the socket that {Purpose}: accept failed: {Error}", _purpose, e.Message);
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
                _log.LogWarning("the socket that {Purpose}: refusing pid {Pid} of another user (uid {Uid})", _purpose, pid, uid);
                client.Dispose();
                continue;
            }
            _accepted(client);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }
}
