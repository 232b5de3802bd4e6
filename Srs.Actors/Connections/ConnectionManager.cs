using Akka.Actor;
using Akka.Event;
using Srs.Actors.Configuration;
using Srs.Actors.Hooks;
using Srs.Actors.Stats;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Connections;

/// <summary>
/// Parent of every client connection actor. Knows how many clients are connected, so a graceful
/// quit can wait for the last one, and closes them all on a fast quit.
/// </summary>
public sealed class ConnectionManager : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _waiters = new();
    private int _count;

    public static Props Props(IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks) =>
        Akka.Actor.Props.Create(() => new ConnectionManager(registry, settings, stats, hooks));

    public ConnectionManager(IActorRef registry, SrsSettings settings, ServerStats stats, HttpHooks hooks)
    {
        // One Props for every RTMP connection and one for every HTTP client; each gets its own in its first message.
        var rtmp = RtmpConnectionActor.Props(new RtmpConnectionActor.Services(registry, settings, stats, hooks, _log));
        var http = HttpClientActor.Props(stats, _log);
        Receive<Accepted>(a =>
        {
            stats.OnConnectionAccepted();
            var id = stats.NextClientId();
            var child = Context.ActorOf(rtmp, "rtmp-" + id);
            child.Tell(new RtmpConnectionActor.Open(id, a.Socket));
            _count++; // until its ConnectionEnded
        });
        Receive<RegisterHttpClient>(r =>
        {
            stats.OnConnectionAccepted();
            var child = Context.ActorOf(http, "http-" + r.Stats.Id);
            child.Tell(new HttpClientActor.Open(r.Stats, r.Abort));
            _count++;
            Sender.Tell(child);
        });
        Receive<ConnectionEnded>(_ =>
        {
            _count--;
            if (_count == 0) NotifyWaiters();
        });
        Receive<CloseAll>(m =>
        {
            _log.Info("closing {0} connections: {1}", _count, m.Reason);
            foreach (var child in Context.GetChildren()) child.Tell(new Kick(m.Reason));
        });
        Receive<AskToReconnect>(m =>
        {
            _log.Info("asking publishers that honour a reconnect request to reconnect: {0}", m.Reason);
            foreach (var child in Context.GetChildren()) child.Tell(m);
        });
        Receive<NotifyWhenAllClosed>(_ =>
        {
            _waiters.Add(Sender);
            if (_count == 0) NotifyWaiters();
        });
        Receive<GetConnectionCount>(_ => Sender.Tell(_count));
    }

    /// <summary>A connection's fault closes that connection only (its socket is closed in PostStop).</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(ex =>
        {
            _log.Error(ex, "connection failed, closing it");
            return Directive.Stop;
        });

    private void NotifyWaiters()
    {
        foreach (var w in _waiters) w.Tell(AllClosed.Instance);
        _waiters.Clear();
    }
}
