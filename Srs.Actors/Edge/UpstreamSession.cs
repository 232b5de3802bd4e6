using Akka.Actor;
using Akka.Event;
using Srs.Actors.Cluster;

namespace Srs.Actors.Edge;

/// <summary>
/// One upstream RTMP connection of an edge's actor (<see cref="EdgePuller"/>, <see cref="EdgeForwarder"/>),
/// run as a task the actor owns: the actor learns its end from <see cref="Ended"/>, and ends it
/// early with <see cref="Stop"/>. The socket work stays out of the actor.
/// </summary>
internal abstract class UpstreamSession(int id, OriginEndpoint origin)
{
    /// <summary>Session <paramref name="Session"/> on <paramref name="Origin"/> ended; <paramref name="CarriedMedia"/> when media went through it.</summary>
    public sealed record Ended(int Session, OriginEndpoint Origin, string Reason, bool CarriedMedia) : IDeadLetterSuppression;

    private readonly CancellationTokenSource _cts = new();
    private string? _stopReason;

    public int Id => id;

    public OriginEndpoint Origin => origin;

    /// <summary>Why <see cref="Stop"/> was called, if it was: the session's end reason then.</summary>
    protected string? StopReason => Volatile.Read(ref _stopReason);

    /// <summary>Whether media went through the session (the plan retries at once after one that did).</summary>
    protected abstract bool CarriedMedia { get; }

    /// <summary>Runs the session; <paramref name="owner"/> gets <see cref="Ended"/> at its end.</summary>
    public void Start(IActorRef owner) => RunToEndAsync().PipeTo(owner);

    /// <summary>Ends the session with <paramref name="reason"/> (the first reason wins).</summary>
    public void Stop(string reason)
    {
        Interlocked.CompareExchange(ref _stopReason, reason, null);
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>The session's work, cancelled by <see cref="Stop"/>; returns why it ended.</summary>
    protected abstract Task<string> RunAsync(CancellationToken ct);

    private async Task<Ended> RunToEndAsync()
    {
        string reason;
        try
        {
            reason = await RunAsync(_cts.Token);
        }
        catch (Exception e)
        {
            reason = StopReason ?? "internal error: " + e.GetBaseException().Message;
        }
        finally
        {
            _cts.Dispose();
        }
        return new Ended(id, origin, reason, CarriedMedia);
    }
}
