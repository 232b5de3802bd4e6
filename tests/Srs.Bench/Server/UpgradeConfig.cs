namespace Srs.Bench.Server;

/// <summary>
/// The configuration file the nodes of an upgrade-in-place run share (each new process starts on
/// the same one): everything on 127.0.0.1, RTMP on the port given, HTTP API on the next, HTTP-FLV
/// on the one after.
/// </summary>
public static class UpgradeConfig
{
    /// <param name="upgradeSocket">srs.upgrade-socket: "auto" (the listener handover) or "off" (SO_REUSEPORT only).</param>
    /// <param name="graceStartWait">null: the node's default, as for <paramref name="graceFinalWait"/>.</param>
    /// <param name="verbose">Akka at INFO (a line per connection, which costs CPU) rather than WARNING.</param>
    public static async Task<string> WriteAsync(string name, int rtmpPort, string upgradeSocket, TimeSpan? graceStartWait, TimeSpan? graceFinalWait,
        bool verbose, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"srs-bench-{name}-{Environment.ProcessId}.conf");
        var waits = (graceStartWait is { } s ? $"\n  grace-start-wait = {(int)s.TotalMilliseconds}ms" : "") +
                    (graceFinalWait is { } f ? $"\n  grace-final-wait = {(int)f.TotalMilliseconds}ms" : "");
        await File.WriteAllTextAsync(path, $$"""
            srs {
              rtmp.listen = "127.0.0.1:{{rtmpPort}}"
              http-api.listen = "127.0.0.1:{{rtmpPort + 1}}"
              http-server.listen = "127.0.0.1:{{rtmpPort + 2}}"
              reuseport = on
              upgrade-socket = {{upgradeSocket}}{{waits}}
            }
            # One log line per connection would cost more CPU than what is measured.
            akka.loglevel = {{(verbose ? "INFO" : "WARNING")}}
            """, ct);
        return path;
    }
}
