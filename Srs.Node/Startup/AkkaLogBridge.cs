using Akka.Actor;
using Akka.Cluster;
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
        var (level, cause) = Classify(e, PeerLeft);
        if (!logger.IsEnabled(level)) return;
        logger.Log(level, default, Text(e, cause), cause, static (text, _) => text);
    }

    /// <summary>
    /// The level an event is logged at, and the exception to print with it. A connection to a peer
    /// that closed because the peer left the cluster (Leaving, Exiting, or no member any more) is
    /// no failure: Akka reports it as one (an <c>EndpointDisassociatedException</c>, as an
    /// error with its stack trace and as a warning that the address is gated), it is logged at info
    /// without the exception here. <paramref name="peerLeft"/> tells, for the peer's address (null
    /// when none is named), whether it left; null: the cluster is not running (this node's own
    /// start or end), where a closed connection is expected too.
    /// </summary>
    internal static (LogLevel Level, Exception? Cause) Classify(LogEvent e, Func<string?, bool>? peerLeft)
    {
        var level = e.LogLevel() switch
        {
            AkkaLogLevel.DebugLevel => LogLevel.Debug,
            AkkaLogLevel.InfoLevel => LogLevel.Information,
            AkkaLogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (level < LogLevel.Warning || !IsDisassociation(e)) return (level, e.Cause);
        return peerLeft is null || peerLeft(PeerAddress(e)) ? (LogLevel.Information, null) : (level, e.Cause);
    }

    // Akka.Remote's exception type is internal: known by name.
    private const string Disassociated = "EndpointDisassociatedException";

    private static bool IsDisassociation(LogEvent e) =>
        e.Cause?.GetType().Name == Disassociated
        || (e.Message?.ToString() ?? "").Contains(Disassociated, StringComparison.Ordinal);

    /// <summary>The message, for a disassociation logged at info without Akka's "Reason is: [exception and stack trace]".</summary>
    private static string Text(LogEvent e, Exception? cause)
    {
        var text = e.Message?.ToString() ?? "";
        if (cause is not null || !IsDisassociation(e)) return text;
        var cut = text.IndexOf(" Reason is: [", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text) + " (the peer left the cluster)";
    }

    private static readonly System.Text.RegularExpressions.Regex Address = new(@"akka\.tcp://[^@\s/]+@[^\s/:\]]+:\d+");

    /// <summary>The remote address an event is about: in its message, or in its source (an endpoint actor's escaped path).</summary>
    internal static string? PeerAddress(LogEvent e)
    {
        var message = e.Message?.ToString() ?? "";
        var source = e.LogSource ?? "";
        // The message names this node's address too ("... from akka.tcp://srs@a to akka.tcp://srs@b"): the endpoint's name comes first.
        foreach (var text in new[] { Uri.UnescapeDataString(source.Contains("endpointWriter", StringComparison.OrdinalIgnoreCase) || source.Contains("endpointManager", StringComparison.Ordinal) ? source[(source.LastIndexOf('/') + 1)..] : ""), message })
        {
            var m = Address.Match(text);
            if (m.Success) return m.Value;
        }
        return null;
    }

    private bool PeerLeft(string? address)
    {
        var system = Context.System;
        if (!system.HasExtension<Akka.Cluster.Cluster>()) return true; // the cluster is not running: this node starts or ends
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (cluster.IsTerminated || cluster.SelfMember.Status is not (MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp)) return true;
        if (address is null) return false;
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.ToString() == address);
        return member is null || member.Status is MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Removed;
    }

    private const string Fallback = "Akka";

    /// <summary>
    /// The logging class; for loggers named by a string instead ("quit", Akka's "remoting (akka://srs)",
    /// "Cluster (akka://srs)") that name, without the actor system's address. A name that is an address
    /// or actor path (one per remote peer or actor) would make a category each: those go under "Akka".
    /// </summary>
    internal static string Category(LogEvent e)
    {
        if (e.LogClass != typeof(DummyClassForStringSources)) return e.LogClass.FullName ?? e.LogClass.Name;
        var source = e.LogSource ?? "";
        var cut = source.IndexOf(" (", StringComparison.Ordinal);
        if (cut > 0) source = source[..cut];
        return source.Length == 0 || source.Contains('/') ? Fallback : source;
    }
}
