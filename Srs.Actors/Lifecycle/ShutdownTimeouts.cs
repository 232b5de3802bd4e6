using System.Globalization;
using Akka.Configuration;
using Srs.Actors.Configuration;

namespace Srs.Actors.Lifecycle;

/// <summary>
/// CoordinatedShutdown phase timeouts derived from the grace settings. Akka's defaults (5-10 s)
/// would cut a graceful quit short; here each phase gets the time its wait needs plus a margin.
/// </summary>
public static class ShutdownTimeouts
{
    /// <summary>Time for work after a wait (closing sockets, the last AllClosed) before Akka gives up on a phase.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    /// <summary>"No bound": Akka wants a finite phase timeout, so ten years stands for none.</summary>
    public static readonly TimeSpan Unbounded = TimeSpan.FromDays(3650);

    public static TimeSpan RequestsDone(SrsSettings s) => s.GraceMaxWait is { } max ? max + Margin : Unbounded;

    public static Config For(SrsSettings s) => ConfigurationFactory.ParseString($$"""
        akka.coordinated-shutdown.phases {
          before-service-unbind.timeout = {{Ms(s.GraceStartWait + Margin)}}
          service-unbind.timeout = {{Ms(Margin + Margin)}}
          service-requests-done.timeout = {{Ms(RequestsDone(s))}}
          service-stop.timeout = {{Ms(s.GraceFinalWait + Margin)}}
        }
        """);

    private static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
