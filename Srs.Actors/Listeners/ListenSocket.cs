using System.Net;
using System.Net.Sockets;

namespace Srs.Actors.Listeners;

/// <summary>Creates listening sockets the same way for RTMP and for Kestrel (HTTP API, HTTP-FLV).</summary>
public static class ListenSocket
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    /// <summary>
    /// Binds and listens. With <paramref name="reusePort"/>, SO_REUSEPORT lets a new process bind
    /// the same port while this one drains (Linux); elsewhere the option is skipped.
    /// Throws SocketException (e.g. address in use) for the caller to report.
    /// </summary>
    public static Socket Bind(EndPoint endPoint, bool reusePort, int backlog = 1024)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint is IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 }) socket.DualMode = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (reusePort && OperatingSystem.IsLinux())
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
