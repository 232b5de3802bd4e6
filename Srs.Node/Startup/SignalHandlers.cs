using System.Runtime.InteropServices;
using Srs.Actors.Lifecycle;

namespace Srs.Node.Startup;

/// <summary>
/// SIGQUIT, SIGTERM and SIGINT turned into quit requests (docs/operations.md, Signals). The default
/// handling is cancelled so nothing else (the host, the runtime) stops the node in the wrong
/// order. Keep the instance referenced: a collected registration silently stops working.
/// </summary>
public sealed class SignalHandlers : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    private SignalHandlers(PosixSignalRegistration[] registrations) => _registrations = registrations;

    /// <summary>What a signal asks for: SIGQUIT graceful; SIGTERM fast unless force-grace-quit; SIGINT fast.</summary>
    public static QuitKind KindFor(PosixSignal signal, bool forceGraceQuit) => signal switch
    {
        PosixSignal.SIGQUIT => QuitKind.Graceful,
        PosixSignal.SIGTERM => forceGraceQuit ? QuitKind.Graceful : QuitKind.Fast,
        _ => QuitKind.Fast,
    };

    public static SignalHandlers Install(GracefulShutdown quit, bool forceGraceQuit, ILogger logger)
    {
        PosixSignalRegistration Register(PosixSignal signal, string name) => PosixSignalRegistration.Create(signal, ctx =>
        {
            ctx.Cancel = true;
            var kind = KindFor(signal, forceGraceQuit);
            var outcome = quit.Request(kind, name);
            logger.LogInformation("{Signal} received: {Kind} quit requested, {Outcome}", name, kind, outcome);
        });

        var registrations = new List<PosixSignalRegistration> { Register(PosixSignal.SIGTERM, "SIGTERM"), Register(PosixSignal.SIGINT, "SIGINT") };
        if (!OperatingSystem.IsWindows()) registrations.Add(Register(PosixSignal.SIGQUIT, "SIGQUIT"));
        return new SignalHandlers(registrations.ToArray());
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
