using Akka.Actor;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Actors.Upgrade;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Sources;

/// <summary>
/// Owns stream names: creates the source of a stream on first use and routes requests to it.
/// Retiring a source is a handshake, so no request falls between an old source and a new one:
/// while a source is asked to stop, requests for its name are held, then delivered to it (if it
/// stayed) or to a fresh source (once the old one has terminated).
/// </summary>
public sealed class SourceRegistry : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SrsSettings _settings;
    private readonly ServerStats _stats;
    private readonly IActorRef? _originDirectory;
    private readonly UpgradePeers? _peers;
    private readonly Dictionary<StreamKey, IActorRef> _sources = new();
    private readonly Dictionary<IActorRef, StreamKey> _keys = new();
    private readonly Dictionary<StreamKey, List<(object Message, IActorRef Sender)>> _held = new();
    private bool _draining;

    /// <param name="originDirectory">
    /// Where sources find origins to pull from and forward to (edges), or the other process of an
    /// upgrade in place to pull from (origins, with <paramref name="peers"/>); null: none.
    /// </param>
    public static Props Props(SrsSettings settings, ServerStats stats, IActorRef? originDirectory = null, UpgradePeers? peers = null) =>
        Akka.Actor.Props.Create(() => new SourceRegistry(settings, stats, originDirectory, peers));

    public SourceRegistry(SrsSettings settings, ServerStats stats, IActorRef? originDirectory = null, UpgradePeers? peers = null)
    {
        _settings = settings;
        _stats = stats;
        _originDirectory = originDirectory;
        _peers = peers;
        Receive<SourceEnvelope>(OnEnvelope);
        Receive<Passivate>(OnPassivate);
        Receive<PassivateCancelled>(m => { if (_keys.TryGetValue(m.Source, out var key)) Release(key, m.Source); });
        Receive<Terminated>(OnTerminated);
        Receive<Drain>(_ =>
        {
            _draining = true;
            foreach (var source in _sources.Values) source.Tell(Drain.Instance);
        });
    }

    /// <summary>A source's fault stops it; its players' queues end and its publisher is told (SourceActor.PostStop), so they close.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(ex =>
        {
            _log.Error(ex, "source failed, stopping it");
            return Directive.Stop;
        });

    private void OnEnvelope(SourceEnvelope e)
    {
        if (_held.TryGetValue(e.Key, out var held))
        {
            held.Add((e.Message, Sender));
            return;
        }
        if (!_sources.TryGetValue(e.Key, out var source)) source = Create(e.Key);
        source.Forward(e.Message);
    }

    private IActorRef Create(StreamKey key)
    {
        var source = Context.ActorOf(SourceActor.Props(key, _settings, _stats, _originDirectory, _peers), ActorName(key));
        Context.Watch(source);
        _sources[key] = source;
        _keys[source] = key;
        if (_draining) source.Tell(Drain.Instance);
        return source;
    }

    private void OnPassivate(Passivate m)
    {
        if (!_keys.TryGetValue(m.Source, out var key) || _held.ContainsKey(key)) return;
        _held[key] = new();
        // Sent after everything already routed to the source: it decides with all of it seen.
        m.Source.Tell(ConfirmPassivate.Instance);
    }

    private void OnTerminated(Terminated t)
    {
        if (!_keys.Remove(t.ActorRef, out var key)) return;
        _sources.Remove(key);
        if (!_held.Remove(key, out var held) || held.Count == 0) return;
        // Requests that came while the old source stopped go to a fresh one.
        var fresh = Create(key);
        foreach (var (message, sender) in held) fresh.Tell(message, sender);
    }

    private void Release(StreamKey key, IActorRef source)
    {
        if (!_held.Remove(key, out var held)) return;
        foreach (var (message, sender) in held) source.Tell(message, sender);
    }

    /// <summary>Actor names allow only some characters; escape the rest, keep it readable, keep it unique.</summary>
    private static string ActorName(StreamKey key) =>
        "source-" + Uri.EscapeDataString(key.ToString()).Replace("%", "~") + "-" + Guid.NewGuid().ToString("N")[..8];
}
