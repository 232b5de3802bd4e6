using Akka.Actor;
using Akka.Event;
using Srs.Actors.Cluster;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Edge;

/// <summary>
/// Forwards a stream published on an edge to an origin: a child of the edge's source, alive while
/// the stream has a local publisher. It asks the directory where to publish
/// (<see cref="ChoosePublishOrigin"/>), publishes the same stream there over RTMP, then consumes
/// the local stream as a player does (its own bounded <see cref="PlayerQueue"/>, so a slow origin
/// drops to keyframes instead of holding memory) and writes every packet upstream. If the
/// upstream fails it tries the next candidate, then backs off. Each upstream session joins the
/// source afresh, so every origin gets metadata, sequence headers and the GOP first. When the
/// origin quits and asks it to reconnect, the session moves, make before break, to the origin
/// the directory chooses then (<see cref="RtmpPublisher"/>).
/// </summary>
public sealed class EdgeForwarder : ReceiveActor, IWithTimers
{
    public const string ClientIdPrefix = "edge-forward:";

    public sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StreamKey _key;
    private readonly IActorRef _directory;
    private readonly RtmpLimits _limits;
    private readonly TimeSpan _queueLength;
    private readonly ServerStats _stats;
    private readonly UpstreamPlan _plan = new();
    private ForwardSession? _session;
    private int _sessionId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static string ClientId(OriginEndpoint origin) => ClientIdPrefix + origin;
    public static bool IsClientId(string? clientId) => clientId?.StartsWith(ClientIdPrefix, StringComparison.Ordinal) == true;

    public static Props Props(StreamKey key, IActorRef directory, RtmpLimits limits, TimeSpan queueLength, ServerStats stats) =>
        Akka.Actor.Props.Create(() => new EdgeForwarder(key, directory, limits, queueLength, stats));

    public EdgeForwarder(StreamKey key, IActorRef directory, RtmpLimits limits, TimeSpan queueLength, ServerStats stats)
    {
        _key = key;
        _directory = directory;
        _limits = limits;
        _queueLength = queueLength;
        _stats = stats;
        Receive<OriginCandidates>(m => m.Key == _key, OnCandidates);
        Receive<UpstreamSession.Ended>(m => m.Session == _sessionId, OnEnded);
        Receive<Retry>(_ => _directory.Tell(new ChoosePublishOrigin(_key)));
    }

    protected override void PreStart() => _directory.Tell(new ChoosePublishOrigin(_key));

    protected override void PostStop()
    {
        _session?.Stop("the local publisher left");
        _log.Info("edge forward of {0} stopped", _key);
    }

    private void OnCandidates(OriginCandidates m)
    {
        _plan.SetCandidates(m.Origins);
        if (_session is not null) return;
        if (_plan.Next() is not { } origin)
        {
            var wait = _plan.NoCandidate();
            if (_plan.Failures == 1) _log.Warning("edge forward of {0}: no origin to publish to, retrying", _key);
            Timers.StartSingleTimer("retry", Retry.Instance, wait);
            return;
        }
        _sessionId++;
        _session = new ForwardSession(_sessionId, origin, _key, Context.Parent, Self, _directory, _limits, _queueLength, _stats, _log);
        _log.Info("edge forward of {0}: publishing to origin {1}", _key, origin);
        _session.Start(Self);
    }

    private void OnEnded(UpstreamSession.Ended m)
    {
        _session = null;
        Context.Parent.Tell(new StopPlay(ClientId(m.Origin)));
        var wait = _plan.Ended(m.Origin, m.CarriedMedia);
        _log.Warning("edge forward of {0} to {1} ended: {2}; retrying in {3} ms", _key, m.Origin, m.Reason, (int)wait.TotalMilliseconds);
        if (wait == TimeSpan.Zero) _directory.Tell(new ChoosePublishOrigin(_key));
        else Timers.StartSingleTimer("retry", Retry.Instance, wait);
    }

    /// <summary>
    /// One upstream publish: open, publish, join the local source with a fresh queue, then write
    /// what the queue gets until it completes (the source dropped it), the origin closes, or <see cref="Stop"/>.
    /// </summary>
    private sealed class ForwardSession(int id, OriginEndpoint origin, StreamKey key, IActorRef source, IActorRef forwarder, IActorRef directory,
        RtmpLimits limits, TimeSpan queueLength, ServerStats stats, ILoggingAdapter log) : UpstreamSession(id, origin)
    {
        private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
        private volatile bool _sent;

        protected override bool CarriedMedia => _sent;

        protected override async Task<string> RunAsync(CancellationToken ct)
        {
            PlayerQueue? queue = null;
            RtmpPublisher? client = null;
            try
            {
                using (var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    publishTimeout.CancelAfter(Upstream.OpenTimeout);
                    client = await RtmpPublisher.StartAsync(OpenAsync, Upstream.StreamName(key), publishTimeout.Token);
                }
                client.MoveFailed += e => log.Warning("edge forward of {0}: moving away from origin {1} as it asked failed: {2}", key, Origin, Upstream.Describe(e));
                // The origin closing (or failing) ends the session even while nothing is queued.
                _ = client.Completion.ContinueWith(_ => Stop("the origin closed the connection"), TaskScheduler.Default);

                queue = new PlayerQueue(queueLength);
                await source.Ask<PlayAccepted>(new Play(ClientId(Origin), forwarder, queue), AskTimeout, ct);
                log.Info("edge forward of {0}: publishing on origin {1}", key, Origin);

                // The source flushes the queue on its merged writes; the pump republishes each batch.
                var pump = new ForwardPump(queue, client, ct);
                var ended = await pump.RunAsync("stopped", ct);
                _sent = pump.Sent;
                ct.ThrowIfCancellationRequested();
                if (ended != "the stream's source stopped") return StopReason ?? ended;
                return "the local stream ended";
            }
            catch (OperationCanceledException) when (StopReason is { } stopped)
            {
                return stopped;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return $"no answer to publish within {Upstream.OpenTimeout.TotalSeconds:F0}s";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return StopReason ?? Upstream.Describe(e);
            }
            finally
            {
                queue?.Complete();
                // The origin learns the publish is over from deleteStream, not only from the closed socket.
                if (client is not null) await client.DisposeAsync();
            }
        }

        /// <summary>
        /// The first connection goes to the chosen origin; one for a move (the origin asked) to the
        /// origin the directory chooses now: a draining origin is no longer among them, and an
        /// origin upgraded in place answers on the same address.
        /// </summary>
        private async Task<RtmpClientConnection> OpenAsync(string? tcUrl, CancellationToken ct)
        {
            var target = Origin;
            if (tcUrl is not null)
            {
                var chosen = await directory.Ask<OriginCandidates>(new ChoosePublishOrigin(key), AskTimeout, ct);
                target = chosen.Origins.FirstOrDefault() ?? Origin;
                log.Info("edge forward of {0}: origin {1} asked to reconnect, moving to origin {2}", key, Origin, target);
            }
            return await Upstream.OpenAsync(target, key, limits, stats, ct, honoursReconnect: true);
        }
    }
}
