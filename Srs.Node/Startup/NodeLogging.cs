namespace Srs.Node.Startup;

/// <summary>One log format for every host in the process: one line per event, UTC timestamps.</summary>
public static class NodeLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Its events are each request's start and end (Information). Enabled at any level, it makes
        // hosting create an Activity per request to scope them, which an HTTP-FLV player holds for
        // as long as it plays (~0.2 KB each, docs/performance.md "Session 9").
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }
}
