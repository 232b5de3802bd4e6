using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Srs.Node.Startup;

/// <summary>
/// Akka's log events into the node's log (Microsoft.Extensions.Logging), one line each, under the
/// category of the class that logged (<c>Srs.Actors.Sources.SourceActor</c>, <c>Akka.Cluster.Cluster</c>)
/// with the message alone. Akka's own formatting would repeat the timestamp and level and add the
/// thread and actor path to every line; the node's messages name their stream or client already.
/// </summary>
public sealed class AkkaLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;
    /// <summary>Categories live as long as the logger factory: a bound keeps unexpected names from growing them.</summary>
    private const int MaxCategories = 256;

    private readonly Dictionary<string, ILogger> _loggers = new();

    public AkkaLogBridge()
    {
        var setup = Context.System.Settings.Setup.Get<LoggerFactorySetup>();
        if (!setup.HasValue) throw new InvalidOperationException($"{nameof(AkkaLogBridge)} needs a {nameof(LoggerFactorySetup)} in the actor system's setup");
        _factory = setup.Value.LoggerFactory;
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                Log(e);
                return true;
            default:
                return false;
        }
    }

    private void Log(LogEvent e)
    {
        var category = Category(e);
        if (!_loggers.TryGetValue(category, out var logger))
        {
            if (_loggers.Count >= MaxCategories) category = Fallback;
            if (!_loggers.TryGetValue(category, out logger)) _loggers[category] = logger = _factory.CreateLogger(category);
        }
        var level = e.LogLevel() switch
        {
            AkkaLogLevel.DebugLevel => LogLevel.Debug,
            AkkaLogLevel.InfoLevel => LogLevel.Information,
            AkkaLogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (!logger.IsEnabled(level)) return;
        logger.Log(level, default, e.Message?.ToString() ?? "", e.Cause, static (text, _) => text);
    }

    private const string Fallback = "Akka";

    /// <summary>
    /// The logging class; for loggers named by a string instead ("quit", Akka's "remoting (akka://srs)",
    /// "Cluster (akka://srs)") that name, without the actor system's address. A name that is an address
    /// or actor path (one per remote peer or actor) would make a category each: those go under "Akka".
    /// </summary>
    private static string Category(LogEvent e)
    {
        if (e.LogClass != typeof(DummyClassForStringSources)) return e.LogClass.FullName ?? e.LogClass.Name;
        var source = e.LogSource ?? "";
        var cut = source.IndexOf(" (", StringComparison.Ordinal);
        if (cut > 0) source = source[..cut];
        return source.Length == 0 || source.Contains('/') ? Fallback : source;
    }
}
