using Akka.Actor;

namespace Srs.Actors.Lifecycle;

/// <summary>The CoordinatedShutdown reason of a quit this node started (a signal, or a test).</summary>
public sealed class QuitReason(QuitKind kind, string cause) : CoordinatedShutdown.Reason
{
    public QuitKind Kind { get; } = kind;
    public string Cause { get; } = cause;

    /// <summary>Both quits end with exit code 0.</summary>
    public override int ExitCode => 0;
    public override string ToString() => $"{Kind} quit ({Cause})";
}
