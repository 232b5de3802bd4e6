using Akka.Actor;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Edge;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Actors.Upgrade;
using Srs.Protocol.Flv;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Actors.Sources;

/// <summary>
/// One live stream: its publisher, its players, and what a new player needs first (metadata,
/// sequence headers, the GOP since the last keyframe). Media from the publisher is appended to
/// every player's bounded queue and sent in merged writes (<see cref="MergeWindow"/>); the source
/// never waits for a player.
/// With neither publisher nor player for the idle timeout it asks the registry to retire it.
/// On an edge, its <see cref="EdgeLinks"/> pull the stream from an origin or forward it to one.
/// </summary>
/// <remarks>
/// Clients are not watched: a connection says when it leaves (<see cref="Unpublish"/>,
/// <see cref="StopPlay"/>, sent however its session ends), and this actor tells its clients when it
/// stops (see <see cref="PostStop"/>). A watch in either direction would make every connection actor
/// carry Akka's watch state (~0.5 KB each, thousands per node). The edge's own children, which
/// publish and play here too, are watched by <see cref="EdgeLinks"/>.
/// </remarks>
public sealed class SourceActor : ReceiveActor, IWithTimers
{
    private sealed class Player(IActorRef connection, PlayerQueue queue, int phase, long joinedAt)
    {
        public IActorRef Connection { get; } = connection;
        public PlayerQueue Queue { get; } = queue;

        /// <summary>Which of the merge window's staggered phases this player is flushed in.</summary>
        public int Phase { get; } = phase;

        /// <summary>The window's sequence number of the first packet this player did not get with the GOP cache when it joined.</summary>
        public long From { get; } = joinedAt;
    }
    private sealed class MergeTick { public static readonly MergeTick Instance = new(); }

    /// <summary>How often a source checks for media that waited too long for a merged write.</summary>
    private static readonly TimeSpan MergeTickInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>A publisher taking over from a pull that sends no keyframe within this takes over anyway.</summary>
    private sealed class TakeoverDue { public static readonly TakeoverDue Instance = new(); }
    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(5);

    /// <summary>A draining source whose players wait for a pull from the next process closes them if none publishes within this.</summary>
    private sealed class PullDue { public static readonly PullDue Instance = new(); }
    private static readonly TimeSpan PullWait = EdgePuller.SilenceTimeout + TimeSpan.FromSeconds(2);

    /// <summary>The previous process's answer to a publish here: the pid when an encoder publishes the stream there.</summary>
    private sealed record PreviousAnswered(Publish Publish, IActorRef ReplyTo, int? PublishedByPid);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StreamKey _key;
    private readonly SrsSettings _settings;
    private readonly ServerStats _stats;
    private readonly StreamStats _streamStats;
    private readonly UpgradePeers? _peers;
    private readonly Dictionary<string, Player> _players = new();
    /// <summary>The same players by merge phase: a flush walks only its own phase's players.</summary>
    private readonly Dictionary<string, Player>[] _phases;
    private readonly List<MediaPacket> _gop = new();
    /// <summary>Media not yet flushed to every phase, oldest first; <see cref="_windowBase"/> numbers its first packet.</summary>
    private readonly List<MediaPacket> _window = new();
    private long _windowBase;
    /// <summary>Per phase, the sequence number of the first packet its players have not had yet.</summary>
    private readonly long[] _phaseFrom;
    private readonly DateTime _created = DateTime.UtcNow;
    private string? _publisherId;
    private IActorRef? _publisher;
    private int _epoch;
    /// <summary>The epoch of the current publisher's packets: a pull being replaced shares its sender (the puller) with the new one.</summary>
    private int _publisherEpoch;
    private int _idleGeneration;
    private MediaPacket? _metaData;
    private MediaPacket? _videoHeader;
    private MediaPacket? _audioHeader;
    /// <summary>The current publisher has sent a video frame (a sequence header alone does not count): merged writes follow video frames, the GOP starts at a keyframe.</summary>
    private bool _hasVideo;
    private readonly MergeWindow _merge;
    private bool _draining;
    private readonly EdgeLinks? _edge;
    private IncomingPublisher? _incoming;
    /// <summary>Publishes waiting for the previous process's answer (<see cref="PreviousAnswered"/>).</summary>
    private int _publishChecks;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="originDirectory">Where an edge finds origins, or where an origin finds its <paramref name="peers"/>; null: no links.</param>
    /// <param name="peers">The other process of an upgrade in place (origins only).</param>
    public static Props Props(StreamKey key, SrsSettings settings, ServerStats stats, IActorRef? originDirectory = null, UpgradePeers? peers = null) =>
        Akka.Actor.Props.Create(() => new SourceActor(key, settings, stats, originDirectory, peers));

    public SourceActor(StreamKey key, SrsSettings settings, ServerStats stats, IActorRef? originDirectory = null, UpgradePeers? peers = null)
    {
        _key = key;
        _settings = settings;
        _stats = stats;
        _streamStats = new StreamStats(stats.NextStreamId(), key);
        _peers = peers;
        _edge = EdgeLinks.For(key, originDirectory, settings, stats, peers);
        _merge = new MergeWindow(settings.MergeLatency, settings.MergePhases);
        _phases = new Dictionary<string, Player>[_merge.Phases];
        for (var i = 0; i < _phases.Length; i++) _phases[i] = new Dictionary<string, Player>();
        _phaseFrom = new long[_merge.Phases];

        Receive<MediaPacket>(OnMedia);
        Receive<Publish>(OnPublish);
        Receive<PreviousAnswered>(OnPreviousAnswered);
        Receive<Unpublish>(m =>
        {
            if (m.ClientId == _publisherId) PublisherGone("unpublished");
            else if (m.ClientId == _incoming?.ClientId) CancelTakeover("it unpublished before its first keyframe");
        });
        Receive<TakeoverDue>(_ => { if (_incoming is not null) CompleteTakeover($"no keyframe from it within {TakeoverWait.TotalSeconds:F0}s"); });
        Receive<Play>(OnPlay);
        Receive<MergeTick>(_ => { if (_merge.IsOverdue(System.Diagnostics.Stopwatch.GetTimestamp())) FlushAllPlayers(); });
        Receive<StopPlay>(m => RemovePlayer(m.ClientId));
        Receive<Terminated>(OnTerminated);
        Receive<IdleTimeout>(m => { if (m.Generation == _idleGeneration && IsIdle) Context.Parent.Tell(new Passivate(Self)); });
        Receive<ConfirmPassivate>(_ => OnConfirmPassivate());
        Receive<Drain>(_ =>
        {
            _draining = true;
            UpdateEdge();
            if (_publisher is null) CloseOrAwaitPull();
        });
        Receive<PullDue>(_ => { if (_draining && _publisher is null) CloseWaitingPlayers(); });
    }

    private bool IsIdle => _publisher is null && _players.Count == 0 && _publishChecks == 0;

    protected override void PreStart()
    {
        _stats.Streams[_streamStats.Id] = _streamStats;
        _stats.OnSourceCreated();
        _log.Info("source {0} created ({1})", _key, _streamStats.Id);
        ArmIdleTimer();
    }

    protected override void PostStop()
    {
        _stats.Streams.TryRemove(_streamStats.Id, out _);
        if (_publisher is not null) Context.System.EventStream.Publish(new StreamPublishState(_key, Publishing: false));
        // Players end with their queues (below); a publisher's connection is told. An edge's puller is a child, stopped with this actor.
        if (_publisher is not null && !Self.Path.Equals(_publisher.Path.Parent)) _publisher.Tell(Connections.ConnectionProtocol.SourceStopped.Instance);
        foreach (var p in _players.Values) p.Queue.Complete();
        _players.Clear();
        foreach (var phase in _phases) phase.Clear();
    }

    private void OnPublish(Publish m) => OnPublish(m, Sender, previousAsked: false);

    /// <param name="previousAsked">The previous process of an upgrade in place has said that no encoder publishes the stream there.</param>
    private void OnPublish(Publish m, IActorRef replyTo, bool previousAsked)
    {
        if (_publisher is not null && _publisherId != m.ClientId)
        {
            if (_edge?.MayTakeOver(_publisherId, m.ClientId) != true || (_incoming is not null && _incoming.ClientId != m.ClientId))
            {
                replyTo.Tell(new PublishRejected($"stream {_key} is already published by client {_publisherId}"));
                return;
            }
            // The encoder moved here from the draining previous process, or the stream to another
            // origin: the current pull feeds the players until the new publisher's first keyframe.
            _incoming = new IncomingPublisher(m.ClientId, m.Connection, ++_epoch);
            Timers.StartSingleTimer("takeover", TakeoverDue.Instance, TakeoverWait);
            replyTo.Tell(new PublishAccepted(Self, _incoming.Epoch));
            _log.Info("source {0}: client {1} takes the stream over from client {2}, at its first keyframe", _key, m.ClientId, _publisherId);
            return;
        }
        // Nothing pulls the stream from the previous process (no viewer here asked for it), which
        // may still serve an encoder of it: a second encoder is refused, as it would be there.
        if (_publisher is null && !previousAsked && !EdgePuller.IsClientId(m.ClientId)
            && _peers?.Previous is { Draining: false, Gone: false, Publishes: { } publishes } previous)
        {
            _publishChecks++;
            publishes(_key, CancellationToken.None).PipeTo(Self,
                success: there => new PreviousAnswered(m, replyTo, there ? previous.Pid : null),
                failure: _ => new PreviousAnswered(m, replyTo, null)); // cannot be asked (exiting): it has no say
            return;
        }
        _publisherId = m.ClientId;
        _publisher = m.Connection;
        _publisherEpoch = ++_epoch;
        // A new publisher brings its own headers; the old GOP cannot be decoded with them.
        _gop.Clear();
        _metaData = _videoHeader = _audioHeader = null;
        _streamStats.PublisherClientId = m.ClientId;
        CountClients();
        replyTo.Tell(new PublishAccepted(Self, _epoch));
        Context.System.EventStream.Publish(new StreamPublishState(_key, Publishing: true));
        UpdateMergeTick();
        _log.Info("source {0} published by client {1}, {2} players waiting", _key, m.ClientId, _players.Count);
        UpdateEdge();
    }

    private void OnPreviousAnswered(PreviousAnswered m)
    {
        _publishChecks--;
        if (m.PublishedByPid is { } pid)
        {
            m.ReplyTo.Tell(new PublishRejected($"stream {_key} is published on the previous process (pid {pid}), which still serves it"));
            ArmIdleTimer();
        }
        else OnPublish(m.Publish, m.ReplyTo, previousAsked: true);
    }

    private void OnPlay(Play m)
    {
        if (_players.Remove(m.ClientId, out var previous))
        {
            _phases[previous.Phase].Remove(m.ClientId);
            previous.Queue.Complete();
        }
        var player = new Player(m.Connection, m.Queue, PhaseForNewPlayer(), _windowBase + _window.Count);
        _players[m.ClientId] = player;
        _phases[player.Phase][m.ClientId] = player;
        // The other process of an upgrade in place pulling this stream is not a viewer: the bytes sent to it
        // are counted again as the bytes that process sends its own players, so they are left out here.
        if (m.Client is { IsUpgradePeer: false } client) _streamStats.PlayerJoined(client);
        CountClients();
        UpdateMergeTick();

        // Start the player at the last keyframe: metadata and sequence headers, then the GOP.
        if (_metaData is not null) m.Queue.Enqueue(_metaData);
        if (_videoHeader is not null) m.Queue.Enqueue(_videoHeader);
        if (_audioHeader is not null) m.Queue.Enqueue(_audioHeader);
        m.Queue.Enqueue(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_gop));
        m.Queue.Flush();

        Sender.Tell(new PlayAccepted(Self, _publisher is not null, EdgePuller.IsClientId(_publisherId)));
        UpdateEdge();
        if (_draining && _publisher is null) CloseOrAwaitPull();
    }

    private void OnMedia(MediaPacket packet)
    {
        if (_incoming is not null && packet.Epoch == _incoming.Epoch && Sender.Equals(_incoming.Connection))
        {
            if (!_incoming.Take(packet)) return;
            CompleteTakeover("its first keyframe");
            Accept(packet);
        }
        else if (Sender.Equals(_publisher) && packet.Epoch == _publisherEpoch) Accept(packet);
        // Anything else: late packets of a publisher that has gone.
    }

    /// <summary>The publisher that takes over feeds the players from now on, its headers first; the pull's feed ends.</summary>
    private void CompleteTakeover(string why)
    {
        var incoming = _incoming!;
        _incoming = null;
        Timers.Cancel("takeover");
        _log.Info("source {0}: client {1} took the stream over from client {2} ({3})", _key, incoming.ClientId, _publisherId ?? "none", why);
        _publisherId = incoming.ClientId;
        _publisher = incoming.Connection;
        _publisherEpoch = incoming.Epoch;
        _streamStats.PublisherClientId = incoming.ClientId;
        _gop.Clear();
        _metaData = _videoHeader = _audioHeader = null;
        _hasVideo = false;
        foreach (var header in incoming.Headers()) Accept(header);
        UpdateMergeTick();
        UpdateEdge();
    }

    private void CancelTakeover(string why)
    {
        _log.Info("source {0}: client {1} does not take the stream over: {2}", _key, _incoming!.ClientId, why);
        _incoming = null;
        Timers.Cancel("takeover");
    }

    private void Accept(MediaPacket packet)
    {
        if (packet.IsVideo && !packet.IsHeader) _hasVideo = true;

        if (packet.Kind == MediaKind.Script)
        {
            _metaData = packet;
            ReadMetaData(packet);
        }
        else
        {
            _streamStats.OnMedia(packet.IsVideo, packet.Payload.Length);
            if (packet.IsHeader)
            {
                if (packet.IsVideo) { _videoHeader = packet; ReadVideoHeader(packet); }
                else { _audioHeader = packet; ReadAudioHeader(packet); }
            }
            else if (_settings.GopCache)
            {
                CacheGop(packet);
            }
        }

        if (_players.Count == 0) return; // nobody to merge for: the window keeps nothing (see RemovePlayer)
        _window.Add(packet);
        if (_merge.OnPacket(packet, _hasVideo) is var due and not 0) FlushPlayers(due);
    }

    /// <summary>
    /// The wall-clock check for overdue media runs only while the stream has a publisher and players:
    /// thousands of streams without viewers (monitoring, conferencing) must not cost 20 timer messages a second each.
    /// </summary>
    private void UpdateMergeTick()
    {
        var needed = _publisher is not null && _players.Count > 0;
        if (needed == Timers.IsTimerActive("merge")) return;
        if (needed) Timers.StartPeriodicTimer("merge", MergeTick.Instance, MergeTickInterval);
        else Timers.Cancel("merge");
    }

    /// <summary>
    /// Phase k opens once the stream has k x <see cref="SrsSettings.MergePhasePlayers"/> players (up to
    /// <see cref="SrsSettings.MergePhases"/>); a new player joins the smallest open phase.
    /// </summary>
    private int PhaseForNewPlayer()
    {
        var open = (int)Math.Min(_phases.Length, 1 + (long)_players.Count / Math.Max(1, _settings.MergePhasePlayers));
        var smallest = 0;
        for (var i = 1; i < open; i++)
            if (_phases[i].Count < _phases[smallest].Count) smallest = i;
        return smallest;
    }

    /// <summary>Flushes every phase now (media overdue on the wall clock, the publisher gone).</summary>
    private void FlushAllPlayers()
    {
        _merge.Flushed();
        FlushPlayers(_merge.AllPhases);
    }

    /// <summary>
    /// A merged write to the players of the phases in <paramref name="due"/>: the packets each phase
    /// has not had go to all its players at once, and each player's pump sends them, on this thread
    /// as far as each socket takes them (see <see cref="MediaPump.Deliver"/>).
    /// </summary>
    private void FlushPlayers(int due)
    {
        var window = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_window);
        var end = _windowBase + window.Length;
        for (var phase = 0; phase < _phases.Length; phase++)
        {
            if ((due & (1 << phase)) == 0) continue;
            var from = _phaseFrom[phase];
            var players = _phases[phase];
            var pending = window[(int)(from - _windowBase)..];
            using (var sends = _settings.IoUring && players.Count > 1 && !pending.IsEmpty ? SendBatch.Rent(pending) : null)
            {
                foreach (var p in players.Values)
                {
                    var start = (int)(Math.Max(from, p.From) - _windowBase);
                    if (start < window.Length) p.Queue.Deliver(window[start..], sends);
                    else p.Queue.Flush();
                }
            }
            _phaseFrom[phase] = end;
        }

        // Drop what every phase has had.
        var oldest = _phaseFrom.Min();
        if (oldest > _windowBase)
        {
            _window.RemoveRange(0, (int)(oldest - _windowBase));
            _windowBase = oldest;
        }
    }

    private void CacheGop(MediaPacket packet)
    {
        if (packet.IsKeyframe) _gop.Clear();
        else if (_hasVideo && _gop.Count == 0) return; // nothing decodable before the first keyframe
        _gop.Add(packet);

        // A GOP longer than a player's queue could never be sent whole: drop it and wait for the next keyframe
        // (audio-only streams keep a sliding window instead).
        var span = _gop[^1].Timestamp - (long)_gop[0].Timestamp;
        if (span > _settings.QueueLength.TotalMilliseconds)
        {
            if (_hasVideo) _gop.Clear(); else _gop.RemoveRange(0, _gop.Count / 2);
        }
    }

    /// <summary>One of the edge's children stopped (only they are watched, by <see cref="EdgeLinks"/>).</summary>
    private void OnTerminated(Terminated t)
    {
        if (t.ActorRef.Equals(_publisher)) PublisherGone("publisher stopped");
        foreach (var (id, player) in _players.ToArray())
            if (player.Connection.Equals(t.ActorRef)) RemovePlayer(id);
        if (_edge?.ChildTerminated(t.ActorRef) == true) UpdateEdge();
    }

    private void PublisherGone(string why)
    {
        if (_publisher is null) return;
        if (_incoming is not null)
        {
            CompleteTakeover($"the previous feed ended: {why}");
            return;
        }
        _log.Info("source {0} unpublished by client {1} ({2}), {3} players stay", _key, _publisherId, why, _players.Count);
        _publisher = null;
        _publisherId = null;
        _streamStats.PublisherClientId = null;
        Context.System.EventStream.Publish(new StreamPublishState(_key, Publishing: false));
        _gop.Clear();
        _hasVideo = false;
        FlushAllPlayers();
        UpdateMergeTick();
        CountClients();
        ArmIdleTimer();
        UpdateEdge();
        if (_draining) CloseOrAwaitPull();
    }

    /// <summary>
    /// During a quit, players of a stream without a publisher would wait forever: close them, unless
    /// the stream is pulled from the next process of an upgrade (its encoder moved there); then they
    /// wait for the pull's media, but not past <see cref="PullWait"/>.
    /// </summary>
    private void CloseOrAwaitPull()
    {
        if (_edge?.Pulling != true) CloseWaitingPlayers();
        else if (!Timers.IsTimerActive("pull-due")) Timers.StartSingleTimer("pull-due", PullDue.Instance, PullWait);
    }

    /// <summary>During a quit, players of a stream without a publisher would wait forever: close them.</summary>
    private void CloseWaitingPlayers()
    {
        if (_players.Count == 0) return;
        _log.Info("source {0}: the node is quitting and the stream has no publisher, closing {1} players", _key, _players.Count);
        foreach (var p in _players.Values) p.Connection.Tell(new Connections.ConnectionProtocol.Kick("the node is quitting and the stream has ended"));
    }

    /// <summary>The stream's clients as SRS counts them: its players and its publisher.</summary>
    private void CountClients() => _streamStats.Clients = _players.Count + (_publisher is null ? 0 : 1);

    private void RemovePlayer(string clientId)
    {
        if (!_players.Remove(clientId, out var player)) return;
        _phases[player.Phase].Remove(clientId);
        player.Queue.Complete();
        _streamStats.PlayerLeft(clientId);
        CountClients();
        if (_players.Count == 0) FlushAllPlayers(); // to nobody: drops what the window held
        UpdateMergeTick();
        ArmIdleTimer();
        UpdateEdge();
    }

    /// <summary>Edge only: start or stop the upstream pull and the publish forwarder to match the publisher and players.</summary>
    private void UpdateEdge() => _edge?.Update(Context, _publisherId, _players.Keys, _draining);

    private void ArmIdleTimer()
    {
        if (!IsIdle) return;
        _idleGeneration++;
        Timers.StartSingleTimer("idle", new IdleTimeout(_idleGeneration), _settings.SourceIdleTimeout);
    }

    private void OnConfirmPassivate()
    {
        if (!IsIdle)
        {
            Context.Parent.Tell(new PassivateCancelled(Self));
            return;
        }
        var held = _gop.Sum(p => (long)p.Payload.Length)
                   + (_metaData?.Payload.Length ?? 0) + (_videoHeader?.Payload.Length ?? 0) + (_audioHeader?.Payload.Length ?? 0);
        _stats.OnSourcePassivated();
        _log.Info("source {0} passivated: idle {1:F1}s, age {2:F1}s, {3} bytes released",
            _key, _settings.SourceIdleTimeout.TotalSeconds, (DateTime.UtcNow - _created).TotalSeconds, held);
        Context.Stop(Self);
    }

    private void ReadMetaData(MediaPacket packet)
    {
        var props = DataMessages.ReadMetaDataProperties(packet.Payload.Span);
        if (props is null) return;
        if (props.GetNumber("width") is { } w) _streamStats.Width = (int)w;
        if (props.GetNumber("height") is { } h) _streamStats.Height = (int)h;
    }

    private void ReadVideoHeader(MediaPacket packet)
    {
        var span = packet.Payload.Span;
        _streamStats.VideoCodec = CodecInspector.GetVideoCodec(span) switch
        {
            VideoCodec.Avc => "H264", VideoCodec.Hevc => "H265", VideoCodec.Av1 => "AV1", VideoCodec.Vp9 => "VP9", _ => "Unknown",
        };
        if (CodecInspector.GetAvcProfileLevel(span) is { } pl)
        {
            _streamStats.VideoProfile = pl.Profile;
            _streamStats.VideoLevel = pl.Level;
        }
    }

    private void ReadAudioHeader(MediaPacket packet)
    {
        var span = packet.Payload.Span;
        _streamStats.AudioCodec = CodecInspector.GetAudioCodec(span) switch
        {
            AudioCodec.Aac => "AAC", AudioCodec.Mp3 => "MP3", AudioCodec.Opus => "Opus", _ => "Unknown",
        };
        if (CodecInspector.GetAacConfig(span) is { } aac)
        {
            _streamStats.AudioSampleRate = aac.SampleRate;
            _streamStats.AudioChannels = aac.Channels;
            _streamStats.AudioProfile = aac.Profile;
        }
    }
}
