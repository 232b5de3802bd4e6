namespace Srs.Node.Startup;

/// <summary>One log format for every host in the process: one line per event, UTC timestamps.</summary>
public static class NodeLogging
{
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";

    /// <summary>
    /// One event as the console formatter writes it (for what logs outside it, see
    /// <see cref="AkkaStdoutLogger"/>): UTC timestamp, level, category, message, on one line.
    /// </summary>
    public static string Line(DateTime utc, LogLevel level, string category, string message) =>
        $"{utc.ToString(TimestampFormat, System.Globalization.CultureInfo.InvariantCulture)}{Abbreviation(level)}: {category}[0] {message.ReplaceLineEndings(" ")}";

    private static string Abbreviation(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = TimestampFormat;
            o.UseUtcTimestamp = true;
        });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Its events are each request's start and end (Information). Enabled at any level, it makes
        // hosting create an Activity per request to scope them, which an HTTP-FLV player holds for
        // as long as it plays (~0.2 KB each; docs/performance.md, memory per player).
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }
}
