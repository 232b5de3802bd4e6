using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Lifecycle;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;

namespace Srs.Actors.Cluster;

/// <summary>
/// The cluster-wide stream directory. Every node announces itself (role, RTMP address, draining,
/// its live streams and client count) in one replicated LWW dictionary, each node writing only its
/// own entry; every node subscribes to it and to cluster membership, so any node can answer "which
/// origin holds stream X" (and the cluster API) from its local replica. Writes go to all reachable
/// replicas at once, so a publish is resolvable elsewhere well within a second.
/// </summary>
public sealed class ClusterDirectory : ReceiveActor, IWithTimers
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private static readonly LWWDictionaryKey<string, NodeInfo> NodesKey = new("srs-nodes");
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);
    private static readonly IWriteConsistency WriteToAll = new WriteAll(TimeSpan.FromSeconds(1));

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly SrsSettings _settings;
    private readonly ServerStats _stats;
    private readonly NodeState _state;
    private readonly ClusterViewHolder _view;
    private readonly (string Host, int Port) _rtmp;
    private readonly Dictionary<StreamKey, HashSet<IActorRef>> _watchers = new();
    private readonly Dictionary<(StreamKey, IActorRef), string> _lastSent = new();
    private LWWDictionary<string, NodeInfo> _nodes = LWWDictionary<string, NodeInfo>.Empty;
    private NodeInfo? _announced;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SrsSettings settings, ServerStats stats, NodeState state, ClusterViewHolder view, (string Host, int Port) rtmp) =>
        Akka.Actor.Props.Create(() => new ClusterDirectory(settings, stats, state, view, rtmp));

    // Akka serializes NodeInfo with Newtonsoft.Json, which reads the stream array into a List<NodeStream>
    // made by reflection: kept for the ahead-of-time build, where nothing else creates that type.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<NodeStream>))]
    public ClusterDirectory(SrsSettings settings, ServerStats stats, NodeState state, ClusterViewHolder view, (string Host, int Port) rtmp)
    {
        _settings = settings;
        _stats = stats;
        _state = state;
        _view = view;
        _rtmp = rtmp;

        Receive<Tick>(_ =>
        {
            Announce();
            // Cluster.State is the cluster's read view, updated by another subscriber: when an event
            // (say MemberRemoved) reaches this actor first, the view built for it is stale and no later
            // event would correct it. Rebuilding on the tick bounds that staleness to one interval.
            Rebuild();
        });
        Receive<Changed>(c => c.Key.Equals(NodesKey), c =>
        {
            _nodes = c.Get(NodesKey);
            Rebuild();
        });
        Receive<ClusterEvent.IClusterDomainEvent>(e =>
        {
            if (e is ClusterEvent.IMemberEvent change) LogChange(change);
            if (e is ClusterEvent.MemberRemoved removed) Forget(removed.Member);
            Rebuild();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Debug("directory write not yet on every replica: {0}", f));
        Receive<ResolveOrigin>(m => Sender.Tell(new OriginCandidates(m.Key, Holders(m.Key))));
        Receive<ChoosePublishOrigin>(m => Sender.Tell(new OriginCandidates(m.Key, Rendezvous.Order(m.Key.ToString(), EligibleOrigins(), o => o.Node))));
        Receive<WatchOrigin>(OnWatch);
        Receive<UnwatchOrigin>(m => Unwatch(m.Key, m.Subscriber));
        Receive<Terminated>(t =>
        {
            foreach (var key in _watchers.Keys.ToArray()) Unwatch(key, t.ActorRef);
        });
    }

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        _replicator.Tell(Dsl.Subscribe(NodesKey, Self));
        Timers.StartPeriodicTimer("announce", Tick.Instance, TickInterval);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>Writes this node's entry when something in it changed (streams, clients, draining).</summary>
    private void Announce()
    {
        var streams = _stats.Streams.Values
            .Select(s => new NodeStream(s.Key.ToString(), s.Publishing, s.Clients))
            .OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
        var info = new NodeInfo(_cluster.SelfAddress.ToString(), _settings.Role.ToString().ToLowerInvariant(),
            _rtmp.Host, _rtmp.Port, Draining: _state.IsQuitting, _stats.Clients.Count, streams);
        if (_announced is not null && SameAs(_announced, info)) return;
        if (_announced is not null && info.Draining && !_announced.Draining)
            _log.Info("marked draining in the cluster directory: no new pulls or publishes will be sent here");
        _announced = info;
        _replicator.Tell(Dsl.Update(NodesKey, LWWDictionary<string, NodeInfo>.Empty, WriteToAll,
            d => d.SetItem(_cluster, info.Address, info)));
    }

    private static bool SameAs(NodeInfo a, NodeInfo b) =>
        a with { Streams = [] } == b with { Streams = [] } && a.Streams.SequenceEqual(b.Streams);

    /// <summary>
    /// Every membership change as this node learnt it, in order: the view served by the API is a
    /// snapshot and can skip a state that lasted less than a gossip round (Leaving, Exiting).
    /// </summary>
    private void LogChange(ClusterEvent.IMemberEvent change)
    {
        var member = change.Member;
        var roles = string.Join(",", member.Roles.OrderBy(r => r));
        if (change is ClusterEvent.MemberRemoved removed)
            _log.Info("cluster member {0} ({1}) removed (was {2})", member.Address, roles, removed.PreviousStatus);
        else
            _log.Info("cluster member {0} ({1}) is {2}", member.Address, roles, member.Status);
    }

    /// <summary>The leader removes the entries of members that left or were downed.</summary>
    private void Forget(Member member)
    {
        if (_cluster.State.Leader is { } leader && leader.Equals(_cluster.SelfAddress) && _nodes.ContainsKey(member.Address.ToString()))
            _replicator.Tell(Dsl.Update(NodesKey, LWWDictionary<string, NodeInfo>.Empty, WriteLocal.Instance,
                d => d.Remove(_cluster, member.Address.ToString())));
    }

    private void Rebuild()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members
            .Select(m => new MemberView(m.Address.ToString(), m.Roles.OrderBy(r => r).ToArray(), m.Status.ToString(),
                !unreachable.Contains(m.Address), _nodes.TryGetValue(m.Address.ToString(), out var info) ? info : null))
            .OrderBy(m => m.Address, StringComparer.Ordinal).ToArray();
        _view.Current = new ClusterView(_cluster.SelfAddress.ToString(), state.Leader?.ToString(), members);
        NotifyWatchers();
    }

    /// <summary>Origins that may get new pulls and publishes: Up, reachable, announced, not draining.</summary>
    private IEnumerable<OriginEndpoint> EligibleOrigins() =>
        _view.Current.Members
            .Where(m => m.Roles.Contains("origin") && m.Status is "Up" or "WeaklyUp" && m.Reachable && m.Info is { Draining: false })
            .Select(m => new OriginEndpoint(m.Address, m.Info!.RtmpHost, m.Info.RtmpPort));

    private IReadOnlyList<OriginEndpoint> Holders(StreamKey key)
    {
        var k = key.ToString();
        var holders = EligibleOrigins().Where(o =>
            _view.Current.Members.First(m => m.Address == o.Node).Info!.Streams.Any(s => s.Key == k && s.Publishing));
        return Rendezvous.Order(k, holders, o => o.Node);
    }

    private void OnWatch(WatchOrigin m)
    {
        if (!_watchers.TryGetValue(m.Key, out var set)) _watchers[m.Key] = set = new HashSet<IActorRef>();
        if (set.Add(m.Subscriber)) Context.Watch(m.Subscriber);
        Send(m.Key, m.Subscriber, force: true);
    }

    private void Unwatch(StreamKey key, IActorRef subscriber)
    {
        _lastSent.Remove((key, subscriber));
        if (!_watchers.TryGetValue(key, out var set) || !set.Remove(subscriber)) return;
        if (set.Count == 0) _watchers.Remove(key);
        if (!_watchers.Values.Any(s => s.Contains(subscriber))) Context.Unwatch(subscriber);
    }

    private void NotifyWatchers()
    {
        foreach (var (key, set) in _watchers)
            foreach (var subscriber in set) Send(key, subscriber, force: false);
    }

    private void Send(StreamKey key, IActorRef subscriber, bool force)
    {
        var candidates = Holders(key);
        var signature = string.Join(",", candidates);
        if (!force && _lastSent.TryGetValue((key, subscriber), out var last) && last == signature) return;
        _lastSent[(key, subscriber)] = signature;
        subscriber.Tell(new OriginCandidates(key, candidates));
    }
}
