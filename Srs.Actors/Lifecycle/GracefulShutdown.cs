using System.Diagnostics;
using Akka.Actor;
using Akka;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Sources;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Lifecycle;

/// <summary>
/// The node's quit, graceful or fast, as Akka CoordinatedShutdown phases (docs/operations.md, Graceful quit):
/// <list type="table">
/// <item>before-service-unbind: readiness off (503), wait grace-start-wait (node phase "draining")</item>
/// <item>service-unbind: the RTMP listener actor and the HTTP-FLV listener close; the API stays ("unbinding")</item>
/// <item>service-requests-done: every connection actor has ended, bounded by grace-max-wait if set ("waiting-clients")</item>
/// <item>service-stop: wait grace-final-wait ("final-wait")</item>
/// <item>cluster-leave onwards: leave, terminate the actor system; the process exits 0 ("stopping")</item>
/// </list>
/// The names in brackets are the node phases (<see cref="NodePhase"/>).
/// A fast quit runs the same phases with every wait cut to zero, after closing every client.
/// A graceful quit turns fast at any point (<see cref="Request"/>): running waits end at once.
/// </summary>
public sealed class GracefulShutdown
{
    /// <summary>How long a fast quit gives clients to close after being kicked.</summary>
    public static readonly TimeSpan FastCloseWait = TimeSpan.FromSeconds(2);

    private readonly CoordinatedShutdown _coordinated;
    private readonly ILoggingAdapter _log;
    private readonly NodeState _state;
    private readonly SrsSettings _settings;
    private readonly IActorRef _connections;
    private readonly IActorRef _sources;
    private readonly IReadOnlyList<IActorRef> _listenerActors;
    private readonly IReadOnlyList<IServiceListener> _serviceListeners;
    private readonly Func<bool> _publishersCanMove;
    private readonly CancellationTokenSource _fast = new();
    private readonly Lock _gate = new();
    private readonly Stopwatch _sinceQuit = new();
    private QuitKind? _kind;

    private GracefulShutdown(ActorSystem system, NodeState state, SrsSettings settings, IActorRef connections,
        IActorRef sources, IReadOnlyList<IActorRef> listenerActors, IReadOnlyList<IServiceListener> serviceListeners, Func<bool> publishersCanMove)
    {
        _publishersCanMove = publishersCanMove;
        _coordinated = CoordinatedShutdown.Get(system);
        _log = Logging.GetLogger(system, "quit");
        _state = state;
        _settings = settings;
        _connections = connections;
        _sources = sources;
        _listenerActors = listenerActors;
        _serviceListeners = serviceListeners;
    }

    /// <summary>The quit under way, if any.</summary>
    public QuitKind? Kind
    {
        get { lock (_gate) return _kind; }
    }

    /// <summary>Completes when the actor system has terminated after a quit.</summary>
    public Task WhenDone => _coordinated.System.WhenTerminated;

    /// <summary>Registers the phase tasks. Call once, before any quit can start.</summary>
    /// <param name="publishersCanMove">
    /// Whether a publisher asked to reconnect has somewhere to go (a new process took the listening
    /// sockets, or another origin serves): only then are they asked, at service-unbind.
    /// </param>
    public static GracefulShutdown Install(ActorSystem system, NodeState state, SrsSettings settings, IActorRef connections,
        IActorRef sources, IReadOnlyList<IActorRef> listenerActors, IReadOnlyList<IServiceListener> serviceListeners, Func<bool>? publishersCanMove = null)
    {
        var q = new GracefulShutdown(system, state, settings, connections, sources, listenerActors, serviceListeners, publishersCanMove ?? (() => false));
        q.Add(CoordinatedShutdown.PhaseBeforeServiceUnbind, NodePhase.Draining, q.StopTakingClientsAsync);
        q.Add(CoordinatedShutdown.PhaseServiceUnbind, NodePhase.Unbinding, q.UnbindAsync);
        q.Add(CoordinatedShutdown.PhaseServiceRequestsDone, NodePhase.WaitingClients, q.WaitForClientsAsync);
        q.Add(CoordinatedShutdown.PhaseServiceStop, NodePhase.FinalWait, () => q.WaitAsync(settings.GraceFinalWait));
        q.Add(CoordinatedShutdown.PhaseClusterLeave, NodePhase.Stopping, () => Task.CompletedTask);
        return q;
    }

    /// <summary>
    /// Asks for a quit. Escalation rules: a graceful quit turns fast on a fast request; a repeated
    /// graceful request, or anything during a fast quit, is ignored.
    /// </summary>
    public QuitOutcome Request(QuitKind kind, string cause)
    {
        lock (_gate)
        {
            if (_kind is null)
            {
                _kind = kind;
                _sinceQuit.Start();
                // Readiness goes at once, not when the first phase gets scheduled.
                _state.MarkQuitting(NodePhase.Draining, $"{(kind == QuitKind.Fast ? "fast" : "graceful")} quit: {cause}");
                _log.Info("{0} quit started: {1}", kind == QuitKind.Fast ? "fast" : "graceful", cause);
                if (kind == QuitKind.Fast) GoFast(cause);
                _coordinated.Run(new QuitReason(kind, cause));
                return QuitOutcome.Started;
            }
            if (_kind == QuitKind.Graceful && kind == QuitKind.Fast)
            {
                _kind = QuitKind.Fast;
                _log.Info("graceful quit turned fast after {0} ms: {1}", _sinceQuit.ElapsedMilliseconds, cause);
                GoFast(cause);
                return QuitOutcome.TurnedFast;
            }
            _log.Info("{0} quit request ignored, a {1} quit is under way: {2}",
                kind == QuitKind.Fast ? "fast" : "graceful", _kind == QuitKind.Fast ? "fast" : "graceful", cause);
            return QuitOutcome.Ignored;
        }
    }

    private void GoFast(string cause)
    {
        _state.MarkQuitting(_state.Phase, "fast quit: " + cause);
        _connections.Tell(new CloseAll("fast quit"));
        foreach (var l in _serviceListeners) l.Abort();
        _fast.Cancel(); // ends every running wait
    }

    private bool IsFast => _fast.IsCancellationRequested;

    private void Add(string phase, string nodePhase, Func<Task> work) =>
        _coordinated.AddTask(phase, "srs-" + nodePhase, async () =>
        {
            _state.SetPhase(nodePhase);
            _log.Info("quit phase {0} ({1}) started, {2} clients connected, {3} ms since the quit began",
                phase, nodePhase, await CountAsync(), _sinceQuit.ElapsedMilliseconds);
            var watch = Stopwatch.StartNew();
            await work();
            _log.Info("quit phase {0} ({1}) took {2} ms", phase, nodePhase, watch.ElapsedMilliseconds);
            return Done.Instance;
        });

    private async Task StopTakingClientsAsync()
    {
        // Readiness is already 503 (see Request); a quit started some other way gets it here.
        if (_state.Ready) _state.MarkQuitting(NodePhase.Draining, "quitting");
        await WaitAsync(_settings.GraceStartWait);
    }

    private async Task UnbindAsync()
    {
        var stops = _listenerActors.Select(a => (Task)a.GracefulStop(ShutdownTimeouts.Margin))
            .Concat(_serviceListeners.Select(l => l.UnbindAsync()));
        await Task.WhenAll(stops);
        if (IsFast) foreach (var l in _serviceListeners) l.Abort();
        // No longer accepting: a publisher reconnecting now reaches whoever serves next.
        else if (_publishersCanMove()) _connections.Tell(new AskToReconnect("the node quits and another process or origin serves"));
    }

    private async Task WaitForClientsAsync()
    {
        // From now on no publisher can arrive: players of unpublished streams are closed.
        _sources.Tell(SourceProtocol.Drain.Instance);
        var allClosed = _connections.Ask<AllClosed>(NotifyWhenAllClosed.Instance, Timeout.InfiniteTimeSpan);
        if (IsFast)
        {
            _connections.Tell(new CloseAll("fast quit"));
            await BoundedAsync(allClosed, FastCloseWait);
            return;
        }

        var bound = _settings.GraceMaxWait is { } max ? Task.Delay(max) : Task.Delay(Timeout.Infinite, CancellationToken.None);
        var turnedFast = Task.Delay(Timeout.Infinite, _fast.Token);
        var first = await Task.WhenAny(allClosed, bound, turnedFast);
        if (first == allClosed) return;
        var why = first == bound ? $"grace-max-wait ({_settings.GraceMaxWait!.Value.TotalMilliseconds:F0} ms) reached" : "fast quit";
        _log.Warning("closing {0} remaining clients: {1}", await CountAsync(), why);
        _connections.Tell(new CloseAll(why));
        await BoundedAsync(allClosed, FastCloseWait);
    }

    /// <summary>Waits <paramref name="wait"/>, or less if the quit turns fast.</summary>
    private async Task WaitAsync(TimeSpan wait)
    {
        if (IsFast || wait <= TimeSpan.Zero) return;
        try { await Task.Delay(wait, _fast.Token); }
        catch (OperationCanceledException) { }
    }

    private static async Task BoundedAsync(Task task, TimeSpan bound) => await Task.WhenAny(task, Task.Delay(bound));

    private async Task<int> CountAsync()
    {
        try { return await _connections.Ask<int>(GetConnectionCount.Instance, TimeSpan.FromSeconds(1)); }
        catch (Exception) { return -1; } // the manager may be gone late in the quit
    }
}
