using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Lifecycle;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using static Srs.Actors.Cluster.DirectoryProtocol;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;

namespace Srs.Actors.Cluster;

/// <summary>
/// The cluster-wide stream directory, one per node at /user/directory. An origin owns the list of
/// streams published on it and pushes each change, numbered, to every node that subscribed
/// (<see cref="DirectoryProtocol"/>); every node subscribes to every member and keeps a replica of
/// each, so "which origin holds stream X" (<see cref="ResolveOrigin"/>, <see cref="WatchOrigin"/>)
/// is answered locally. A change costs one message of its own size per node, whatever the number
/// of streams; client counts and other statistics ride on a once-a-second digest and never make
/// the routing churn. The cluster API's stream listing asks nodes on demand (<see cref="StreamsPageRequest"/>).
/// </summary>
public sealed class ClusterDirectory : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    /// <summary>Sent to itself at the first pending change: changes that arrive meanwhile go in the same delta.</summary>
    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed class Watch(StreamKey key)
    {
        public StreamKey Key { get; } = key;
        /// <summary>Each subscriber with the candidates it was last told (null: not yet), to tell it only of a change.</summary>
        public Dictionary<IActorRef, string?> Subscribers { get; } = new();
    }

    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);
    private const int TicksPerDigest = 5;
    /// <summary>
    /// A digest goes out at most once a second, and only when the summary or the change number moved,
    /// or this long after the last: an idle cluster of N nodes sends N x (N - 1) digests per this
    /// interval, not per second. It bounds how long a lost last change goes unnoticed.
    /// </summary>
    private static readonly TimeSpan DigestKeepAlive = TimeSpan.FromSeconds(5);
    /// <summary>A subscription with no snapshot after this is asked again (the member's directory was not up yet, or the reply was lost).</summary>
    private static readonly TimeSpan ResubscribeAfter = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly SrsSettings _settings;
    private readonly ServerStats _stats;
    private readonly NodeState _state;
    private readonly ClusterViewHolder _view;
    private readonly (string Host, int Port) _rtmp;
    private readonly string _role;
    private readonly OwnStreams _own;
    /// <summary>Members as this node learnt them from cluster events, until removed: only their messages are taken.</summary>
    private readonly HashSet<Address> _members = new();
    private readonly Dictionary<Address, NodeReplica> _replicas = new();
    private readonly Dictionary<Address, IActorRef> _subscribers = new();
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, HashSet<string>> _watchedBy = new();
    private readonly List<string> _changed = new();
    /// <summary>Origins that may get new pulls and publishes, with the replica that says what each holds (null: this node).</summary>
    private List<(OriginEndpoint Endpoint, NodeReplica? Replica)> _eligible = new();
    private string _eligibleSignature = "";
    private bool _flushQueued;
    private bool _announcedDraining;
    private Digest? _lastDigest;
    private DateTime _lastDigestAt;
    private long _ticks;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SrsSettings settings, ServerStats stats, NodeState state, ClusterViewHolder view, (string Host, int Port) rtmp) =>
        Akka.Actor.Props.Create(() => new ClusterDirectory(settings, stats, state, view, rtmp));

    public ClusterDirectory(SrsSettings settings, ServerStats stats, NodeState state, ClusterViewHolder view, (string Host, int Port) rtmp)
    {
        _settings = settings;
        _stats = stats;
        _state = state;
        _view = view;
        _rtmp = rtmp;
        _role = settings.Role.ToString().ToLowerInvariant();
        _own = new OwnStreams(_cluster.SelfUniqueAddress.Uid);

        Receive<StreamPublishState>(OnPublishState);
        Receive<Flush>(_ =>
        {
            _flushQueued = false;
            // A subscription may have sent the pending changes already: an empty flush sends nothing.
            if (_own.HasPending) SendDeltas();
        });
        Receive<Tick>(_ => OnTick());
        Receive<Subscribe>(_ => OnSubscribe());
        Receive<Snapshot>(OnSnapshot);
        Receive<Delta>(OnDelta);
        Receive<Digest>(OnDigest);
        Receive<StreamsPageRequest>(m => Sender.Tell(Page(m)));
        Receive<ClusterEvent.IClusterDomainEvent>(OnClusterEvent);
        Receive<ResolveOrigin>(m => Sender.Tell(new OriginCandidates(m.Key, Holders(m.Key.ToString()))));
        Receive<ChoosePublishOrigin>(m => Sender.Tell(new OriginCandidates(m.Key, Rendezvous.Order(m.Key.ToString(), _eligible.Select(e => e.Endpoint), o => o.Node))));
        Receive<WatchOrigin>(OnWatch);
        Receive<UnwatchOrigin>(m => Unwatch(m.Key.ToString(), m.Subscriber));
        Receive<Terminated>(t =>
        {
            if (_watchedBy.TryGetValue(t.ActorRef, out var keys))
                foreach (var key in keys.ToArray()) Unwatch(key, t.ActorRef);
        });
    }

    private bool Announces => _settings.Role == NodeRole.Origin;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        Context.System.EventStream.Subscribe(Self, typeof(StreamPublishState));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TickInterval);
        Rebuild();
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private NodeSummary Summary() => new(_role, _rtmp.Host, _rtmp.Port, _state.IsQuitting, _stats.Streams.Count, _stats.Clients.Count);

    // ---- this node's own streams ----

    private void OnPublishState(StreamPublishState e)
    {
        if (!Announces || !_own.Set(e.Key.ToString(), e.Publishing)) return;
        Notify(e.Key.ToString());
        if (_flushQueued) return;
        _flushQueued = true;
        Self.Tell(Flush.Instance);
    }

    private void SendDeltas()
    {
        foreach (var delta in _own.TakeDeltas(Summary()))
            foreach (var subscriber in _subscribers.Values) subscriber.Tell(delta, Self);
    }

    private void OnSubscribe()
    {
        var from = Sender.Path.Address;
        // Changes not sent yet go to the current subscribers first: the snapshot below includes them.
        if (_own.HasPending) SendDeltas();
        _subscribers[from] = Sender;
        var parts = 0;
        foreach (var part in _own.Snapshot(Summary()))
        {
            Sender.Tell(part, Self);
            parts++;
        }
        _log.Debug("directory: {0} subscribed, sent {1} streams in {2} parts (change {3})", from, _own.Count, parts, _own.Seq);
    }

    private void OnTick()
    {
        _ticks++;
        if (_state.IsQuitting != _announcedDraining)
        {
            _announcedDraining = _state.IsQuitting;
            if (_announcedDraining) _log.Info("marked draining in the cluster directory: no new pulls or publishes will be sent here");
            SendDeltas(); // a summary-only change: every node stops choosing this one at once
        }
        if (_ticks % TicksPerDigest == 0)
        {
            SendDigest();
            foreach (var member in _cluster.State.Members)
                if (member.Status is not (MemberStatus.Down or MemberStatus.Removed) && !member.Address.Equals(_cluster.SelfAddress))
                    SubscribeIfBehind(member.Address);
        }
        // Cluster.State is the cluster's read view, updated by another subscriber: when an event
        // (say MemberRemoved) reaches this actor first, the view built for it is stale and no later
        // event would correct it. Rebuilding on the tick bounds that staleness to one interval.
        Rebuild();
    }

    private void SendDigest()
    {
        var digest = new Digest(_own.Incarnation, _own.Seq, Summary());
        if (digest == _lastDigest && DateTime.UtcNow - _lastDigestAt < DigestKeepAlive) return;
        (_lastDigest, _lastDigestAt) = (digest, DateTime.UtcNow);
        foreach (var subscriber in _subscribers.Values) subscriber.Tell(digest, Self);
    }

    private StreamsPage Page(StreamsPageRequest request)
    {
        var streams = _stats.Streams.Values.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal).ToArray();
        var page = new List<StreamEntry>();
        var bytes = 0;
        for (var i = Math.Max(0, request.Start); i < streams.Length && page.Count < request.Count; i++)
        {
            var key = streams[i].Key.ToString();
            bytes += DirectoryLimits.Cost(key) + 8;
            if (bytes > DirectoryLimits.PayloadBytes && page.Count > 0) break;
            page.Add(new StreamEntry(key, streams[i].Publishing, streams[i].Clients));
        }
        return new StreamsPage(streams.Length, page);
    }

    // ---- other nodes' streams ----

    /// <summary>
    /// The replica of a member; null for an address that is not (or no longer) a member, whose
    /// late messages are dropped so a departed node leaves nothing behind.
    /// </summary>
    private NodeReplica? Replica(Address address)
    {
        if (!_members.Contains(address)) return null;
        if (!_replicas.TryGetValue(address, out var replica)) _replicas[address] = replica = new NodeReplica();
        return replica;
    }

    /// <summary>Asks <paramref name="address"/>'s directory for a snapshot unless this node's replica is synced or a request is in flight.</summary>
    private void SubscribeIfBehind(Address address)
    {
        var replica = Replica(address);
        if (replica is null || replica.Synced || DateTime.UtcNow - replica.SubscribedAt < ResubscribeAfter) return;
        replica.SubscribedAt = DateTime.UtcNow;
        Context.ActorSelection(new RootActorPath(address) / "user" / "directory").Tell(Subscribe.Instance, Self);
    }

    private void OnSnapshot(Snapshot part)
    {
        var from = Sender.Path.Address;
        if (Replica(from) is not { } replica) return;
        _changed.Clear();
        if (!replica.Apply(part, _changed))
        {
            SubscribeIfBehind(from);
            return;
        }
        if (!part.Last) return;
        _log.Debug("directory: replica of {0} synced, {1} streams (change {2})", from, replica.Count, replica.Seq);
        Changed(eligibility: true); // a synced origin may now be chosen
    }

    private void OnDelta(Delta delta)
    {
        var from = Sender.Path.Address;
        if (Replica(from) is not { } replica) return;
        _changed.Clear();
        var draining = replica.Summary?.Draining;
        var (synced, seq) = (replica.Synced, replica.Seq);
        if (!replica.Apply(delta, _changed))
        {
            if (synced) _log.Info("directory: a change of {0} was lost (have {1}, got {2}): asking for its streams again", from, seq, delta.Seq);
            SubscribeIfBehind(from);
            return;
        }
        Changed(draining != replica.Summary?.Draining);
    }

    private void OnDigest(Digest digest)
    {
        var from = Sender.Path.Address;
        if (Replica(from) is not { } replica) return;
        var (synced, seq) = (replica.Synced, replica.Seq);
        if (!replica.Apply(digest))
        {
            if (synced) _log.Info("directory: {0} is at change {1}, this node at {2}: asking for its streams again", from, digest.Seq, seq);
            SubscribeIfBehind(from);
        }
    }

    /// <summary>After a replica changed: rebuild when which origins are eligible may have changed, then tell the watchers of the streams in <see cref="_changed"/>.</summary>
    private void Changed(bool eligibility)
    {
        if (eligibility) Rebuild();
        foreach (var key in _changed) Notify(key);
    }

    private void OnClusterEvent(ClusterEvent.IClusterDomainEvent e)
    {
        if (e is ClusterEvent.IMemberEvent change)
        {
            LogChange(change);
            var address = change.Member.Address;
            if (change is ClusterEvent.MemberRemoved)
            {
                _members.Remove(address);
                _replicas.Remove(address);
                _subscribers.Remove(address);
            }
            else if (!address.Equals(_cluster.SelfAddress) && change.Member.Status is not MemberStatus.Down)
            {
                _members.Add(address);
                SubscribeIfBehind(address);
            }
        }
        Rebuild();
    }

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

    // ---- the view, routing and watchers ----

    /// <summary>Rebuilds the API's view and the eligible origins (O(members)); when those changed, every watcher is told.</summary>
    private void Rebuild()
    {
        var state = _cluster.State;
        var self = _cluster.SelfAddress;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = new List<MemberView>();
        var eligible = new List<(OriginEndpoint, NodeReplica?)>();
        foreach (var m in state.Members)
        {
            var isSelf = m.Address.Equals(self);
            var replica = isSelf ? null : _replicas.GetValueOrDefault(m.Address);
            var summary = isSelf ? Summary() : replica?.Summary;
            var reachable = !unreachable.Contains(m.Address);
            members.Add(new MemberView(m.Address.ToString(), m.Roles.OrderBy(r => r).ToArray(), m.Status.ToString(), reachable,
                summary, isSelf ? _own.Count : replica?.Count ?? 0, isSelf || replica is { Synced: true }));
            if (m.HasRole("origin") && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp && reachable
                && summary is { Draining: false } && (isSelf || replica is { Synced: true }))
                eligible.Add((new OriginEndpoint(m.Address.ToString(), summary.RtmpHost, summary.RtmpPort), replica));
        }
        members.Sort((a, b) => string.CompareOrdinal(a.Address, b.Address));
        _view.Current = new ClusterView(self.ToString(), state.Leader?.ToString(), members);

        var signature = string.Join("|", eligible.Select(e => e.Item1.Node));
        _eligible = eligible;
        if (signature == _eligibleSignature) return;
        _eligibleSignature = signature;
        foreach (var key in _watches.Keys) Notify(key);
    }

    private IReadOnlyList<OriginEndpoint> Holders(string key)
    {
        var holders = new List<OriginEndpoint>(1);
        foreach (var (endpoint, replica) in _eligible)
            if (replica?.Contains(key) ?? _own.Contains(key)) holders.Add(endpoint);
        return holders.Count <= 1 ? holders : Rendezvous.Order(key, holders, o => o.Node);
    }

    private void OnWatch(WatchOrigin m)
    {
        var key = m.Key.ToString();
        if (!_watches.TryGetValue(key, out var watch)) _watches[key] = watch = new Watch(m.Key);
        if (!_watchedBy.TryGetValue(m.Subscriber, out var keys))
        {
            _watchedBy[m.Subscriber] = keys = new HashSet<string>(StringComparer.Ordinal);
            Context.Watch(m.Subscriber);
        }
        keys.Add(key);
        watch.Subscribers[m.Subscriber] = null; // told now, whatever it was told before
        Notify(key);
    }

    private void Unwatch(string key, IActorRef subscriber)
    {
        if (_watches.TryGetValue(key, out var watch) && watch.Subscribers.Remove(subscriber) && watch.Subscribers.Count == 0)
            _watches.Remove(key);
        if (!_watchedBy.TryGetValue(subscriber, out var keys) || !keys.Remove(key) || keys.Count > 0) return;
        _watchedBy.Remove(subscriber);
        Context.Unwatch(subscriber);
    }

    /// <summary>Tells the watchers of <paramref name="key"/> its holders, each only if they differ from what it was told last.</summary>
    private void Notify(string key)
    {
        if (!_watches.TryGetValue(key, out var watch)) return;
        var candidates = Holders(key);
        var signature = string.Join(",", candidates);
        foreach (var (subscriber, last) in watch.Subscribers.ToArray())
        {
            if (last == signature) continue;
            watch.Subscribers[subscriber] = signature;
            subscriber.Tell(new OriginCandidates(watch.Key, candidates));
        }
    }
}
