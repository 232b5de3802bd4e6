namespace Srs.Node.Startup;

/// <summary>
/// Replaces the generic host's ConsoleLifetime, which would stop the host (Kestrel and Akka, in
/// its own order) on SIGTERM, SIGINT and SIGQUIT. Signals belong to <see cref="SignalHandlers"/>;
/// the host stops only once the actor system has terminated at the end of a quit.
/// </summary>
public sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
