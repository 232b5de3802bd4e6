using Akka.Actor;
using Akka.Event;
using Srs.Actors.Cluster;
using Srs.Actors.Media;
using Srs.Actors.Rtmp;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Edge;

/// <summary>
/// The upstream pull of one stream on an edge: a child of the edge's source, alive while the
/// source has players and no local publisher. It watches the origin directory for the stream,
/// plays the stream from the first candidate origin over RTMP and feeds the source as its
/// publisher (<c>Publish("edge-pull:host:port", Self)</c>, then every media message with Self as
/// sender). When the upstream ends or stays silent for <see cref="SilenceTimeout"/>, it
/// unpublishes and pulls again from the origin the directory names now. When the directory shows
/// the stream on another origin while the pull still carries media (the encoder moved there), the
/// new pull starts beside the old one and takes the stream over at its first keyframe; only then
/// is the old one stopped (make before break). Either way the source's players stay connected (a
/// new publish is a new epoch: their timestamps continue, the new origin's headers come first).
/// </summary>
/// <remarks>The socket work runs in a <see cref="PullSession"/> task this actor owns; the actor only orchestrates.</remarks>
public sealed class EdgePuller : ReceiveActor, IWithTimers
{
    public const string ClientIdPrefix = "edge-pull:";

    /// <summary>An upstream that sends nothing for this long counts as dead.</summary>
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Backoff over: ask the directory again.</summary>
    public sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    /// <summary>Session <paramref name="Session"/> has fed the source its first keyframe: it has the stream now.</summary>
    private sealed record Switched(int Session);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StreamKey _key;
    private readonly IActorRef _directory;
    private readonly RtmpLimits _limits;
    private readonly ServerStats _stats;
    private readonly UpstreamPlan _plan = new();
    private PullSession? _session;
    /// <summary>A pull from the origin that holds the stream now, started while <see cref="_session"/> still feeds the source.</summary>
    private PullSession? _next;
    private int _sessionId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static string ClientId(OriginEndpoint origin) => ClientIdPrefix + origin;
    public static bool IsClientId(string? clientId) => clientId?.StartsWith(ClientIdPrefix, StringComparison.Ordinal) == true;
    public static bool IsPreviousProcessPull(string? clientId) => clientId == ClientIdPrefix + OriginEndpoint.PreviousProcess;
    /// <summary>A pull from the other process of an upgrade in place (previous or next), not from an origin.</summary>
    public static bool IsUpgradePeerPull(string? clientId) => IsPreviousProcessPull(clientId) || clientId == ClientIdPrefix + OriginEndpoint.NextProcess;

    public static Props Props(StreamKey key, IActorRef directory, RtmpLimits limits, ServerStats stats) =>
        Akka.Actor.Props.Create(() => new EdgePuller(key, directory, limits, stats));

    public EdgePuller(StreamKey key, IActorRef directory, RtmpLimits limits, ServerStats stats)
    {
        _key = key;
        _directory = directory;
        _limits = limits;
        _stats = stats;
        Receive<OriginCandidates>(m => m.Key == _key, OnCandidates);
        Receive<UpstreamSession.Ended>(OnEnded);
        Receive<Switched>(OnSwitched);
        Receive<Retry>(_ => _directory.Tell(new ResolveOrigin(_key)));
    }

    protected override void PreStart()
    {
        _log.Info("edge pull of {0} started: waiting for the origin directory", _key);
        _directory.Tell(new WatchOrigin(_key, Self));
    }

    protected override void PostStop()
    {
        _directory.Tell(new UnwatchOrigin(_key, Self));
        _session?.Stop("the pull stopped (no player left)");
        _next?.Stop("the pull stopped (no player left)");
        _log.Info("edge pull of {0} stopped", _key);
    }

    private void OnCandidates(OriginCandidates m)
    {
        _plan.SetCandidates(m.Origins);
        if (_session is null)
        {
            // A new answer while waiting out a backoff: try at once (a watch only speaks on change).
            if (m.Origins.Count == 0 && Timers.IsTimerActive("retry")) return;
            Timers.Cancel("retry");
            Connect();
        }
        else if (m.Origins.Count > 0 && !m.Origins.Contains(_session.Origin) && (_next is null || !m.Origins.Contains(_next.Origin)))
        {
            // The stream moved. (An empty list keeps the connection: the origin may get it back.)
            _next?.Stop("the stream moved again");
            if (!_session.HasPublished)
            {
                _session.Stop($"origin {_session.Origin} no longer holds the stream");
                return;
            }
            // Make before break: the new pull takes over at its first keyframe, the old one feeds the players until then.
            _next = StartSession(m.Origins[0]);
            _log.Info("edge pull of {0}: the stream moved from origin {1} to {2}, pulling from both until a keyframe", _key, _session.Origin, _next.Origin);
        }
    }

    private void OnSwitched(Switched m)
    {
        if (_next?.Id != m.Session) return; // a first session, or one that was replaced: nothing to leave
        var old = _session!;
        (_session, _next) = (_next, null);
        old.Stop($"moved to origin {_session.Origin}");
    }

    private PullSession StartSession(OriginEndpoint origin)
    {
        var session = new PullSession(++_sessionId, origin, _key, Context.Parent, Self, _limits, _stats, _log);
        session.Start(Self);
        return session;
    }

    private void Connect()
    {
        if (_plan.Next() is not { } origin)
        {
            var wait = _plan.NoCandidate();
            if (_plan.Failures == 1) _log.Info("edge pull of {0}: no origin holds the stream yet, waiting", _key);
            Timers.StartSingleTimer("retry", Retry.Instance, wait);
            return;
        }
        _log.Info("edge pull of {0}: connecting to origin {1}", _key, origin);
        _session = StartSession(origin);
    }

    private void OnEnded(UpstreamSession.Ended m)
    {
        // The source ignores this unless the session is its publisher.
        Context.Parent.Tell(new Unpublish(ClientId(m.Origin)));
        if (m.Session == _next?.Id)
        {
            // The new pull failed: the old one goes on (and ends by itself if its origin lost the stream).
            _next = null;
            _log.Info("edge pull of {0} from {1} ended before it took over: {2}", _key, m.Origin, m.Reason);
            return;
        }
        if (m.Session != _session?.Id)
        {
            _log.Info("edge pull of {0} from {1} ended: {2}", _key, m.Origin, m.Reason); // left after a move
            return;
        }
        if (_next is not null)
        {
            // The old pull ended before the new one's first keyframe: the new one has the stream now.
            (_session, _next) = (_next, null);
            _log.Info("edge pull of {0} from {1} ended: {2}; origin {3} has it now", _key, m.Origin, m.Reason, _session.Origin);
            return;
        }
        _session = null;
        var wait = _plan.Ended(m.Origin, m.CarriedMedia);
        _log.Info("edge pull of {0} from {1} ended: {2}; pulling again in {3} ms", _key, m.Origin, m.Reason, (int)wait.TotalMilliseconds);
        if (wait == TimeSpan.Zero) _directory.Tell(new ResolveOrigin(_key));
        else Timers.StartSingleTimer("retry", Retry.Instance, wait);
    }

    /// <summary>
    /// One upstream connection: open, play, then feed every media message to the source. Publishes
    /// to the source on the first media message, so an origin without the stream never makes the
    /// edge's stream look live. Ends when the origin closes, goes silent, or <see cref="Stop"/> is called.
    /// </summary>
    private sealed class PullSession(int id, OriginEndpoint origin, StreamKey key, IActorRef source, IActorRef puller, RtmpLimits limits, ServerStats stats, ILoggingAdapter log)
        : UpstreamSession(id, origin)
    {
        private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
        private volatile bool _published;
        private bool _switched;

        protected override bool CarriedMedia => _published;

        /// <summary>It has published to the source (media came from its origin).</summary>
        public bool HasPublished => _published;

        protected override async Task<string> RunAsync(CancellationToken ct)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await using var client = await Upstream.OpenAsync(Origin, key, limits, stats, ct);
                using (var playTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    playTimeout.CancelAfter(Upstream.OpenTimeout);
                    await client.PlayAsync(Upstream.StreamName(key), playTimeout.Token);
                }
                log.Info("edge pull of {0}: playing from origin {1}", key, Origin);

                silence.CancelAfter(SilenceTimeout);
                var epoch = 0;
                var packets = new List<MediaPacket>(8);
                await foreach (var message in client.ReadMediaAsync(silence.Token))
                {
                    silence.CancelAfter(SilenceTimeout);
                    RtmpMedia.ToPackets(message, epoch, packets);
                    if (packets.Count == 0) continue;
                    if (!_published)
                    {
                        switch (await source.Ask<PublishReply>(new Publish(ClientId(Origin), puller), AskTimeout, ct))
                        {
                            case PublishRejected rejected: return "the edge's source refused it: " + rejected.Reason;
                            case PublishAccepted accepted: epoch = accepted.Epoch; break;
                        }
                        _published = true;
                        packets.Clear();
                        RtmpMedia.ToPackets(message, epoch, packets);
                        log.Info("edge pull of {0}: media from origin {1} (epoch {2})", key, Origin, epoch);
                    }
                    foreach (var p in packets)
                    {
                        source.Tell(p, puller);
                        // The source switches to a pull that takes over at its first keyframe: the puller may then leave the old one.
                        if (!_switched && p.IsKeyframe && !p.IsHeader)
                        {
                            _switched = true;
                            puller.Tell(new Switched(Id));
                        }
                    }
                    packets.Clear();
                }
                return "the origin closed the connection";
            }
            catch (OperationCanceledException) when (StopReason is { } stopped)
            {
                return stopped;
            }
            catch (OperationCanceledException) when (silence.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return $"the origin sent nothing for {SilenceTimeout.TotalSeconds:F0}s";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return $"no answer to play within {Upstream.OpenTimeout.TotalSeconds:F0}s";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return StopReason ?? Upstream.Describe(e);
            }
        }
    }
}
