using Akka.Event;

namespace Srs.Node.Startup;

/// <summary>
/// Akka's logger for the moments <see cref="AkkaLogBridge"/> is not running (the actor system's
/// start, before the bridge is up, and its end, after the bridge has stopped): the same line as
/// the node's console log (<see cref="NodeLogging"/>) instead of Akka's
/// <c>[INFO][time][thread][path]</c> prefix. Named by <c>akka.stdout-logger-class</c>.
/// </summary>
public sealed class AkkaStdoutLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not LogEvent e) return;
        var (level, cause) = AkkaLogBridge.Classify(e, peerLeft: null);
        var text = e.Message?.ToString() ?? "";
        if (cause is not null) text += " " + cause;
        Console.Out.WriteLine(NodeLogging.Line(e.Timestamp, level, AkkaLogBridge.Category(e), text));
    }
}
