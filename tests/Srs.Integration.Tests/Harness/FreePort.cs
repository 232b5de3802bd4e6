using System.Net;
using System.Net.Sockets;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Free TCP ports on 127.0.0.1, picked by the kernel (bind to port 0). A port is handed out at
/// most once per test run, so parallel tests never get the same one.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            lock (Given)
                if (Given.Add(port))
                    return port;
        }
        throw new InvalidOperationException("no free TCP port found in 50 attempts");
    }
}
