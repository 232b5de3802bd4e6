using System.Diagnostics;
using Srs.Bench.Media;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Play;

/// <summary>
/// The players of a run and the stamped publishers feeding them: creates players (RTMP or
/// HTTP-FLV) round-robin over the streams, and a monitor that fails players whose set-up takes
/// too long and counts stalls (no media for longer than the threshold).
/// </summary>
public sealed class PlayerFleet : IAsyncDisposable
{
    private readonly List<MediaPlayer> _players = new();
    private readonly List<Task> _runs = new();
    private readonly List<StampedPublisher> _publishers = new();
    private readonly List<Task> _publishing = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _monitor;
    private readonly object _gate = new();

    public PlayerFleet(PlayTarget target, TimeSpan setupTimeout, TimeSpan stallAfter)
    {
        Target = target;
        SetupTimeout = setupTimeout;
        StallAfter = stallAfter;
        _monitor = Task.Run(MonitorAsync);
    }

    public PlayTarget Target { get; }
    public TimeSpan SetupTimeout { get; }
    public TimeSpan StallAfter { get; }
    public IReadOnlyList<StampedPublisher> Publishers => _publishers;

    public MediaPlayer[] Players
    {
        get { lock (_gate) return _players.ToArray(); }
    }

    /// <summary>Starts one stamped publisher per stream and waits until each is publishing.</summary>
    public async Task PublishAsync(SyntheticStream stream)
    {
        foreach (var name in Target.Streams)
        {
            var publisher = new StampedPublisher(Target.Rtmp.WithStream(name), stream);
            _publishers.Add(publisher);
            _publishing.Add(publisher.RunAsync(_stop.Token));
        }
        await Task.WhenAll(_publishers.Select(p => p.Published));
    }

    /// <summary>Starts player number <paramref name="index"/> (on stream index mod streams); it runs until closed.</summary>
    public MediaPlayer Start(int index)
    {
        var player = Target.Create(index);
        lock (_gate)
        {
            _players.Add(player);
            _runs.Add(player.RunAsync());
        }
        return player;
    }

    /// <summary>Forgets players that have ended (churn), so the monitor's sweep stays short.</summary>
    public void Prune()
    {
        lock (_gate)
        {
            for (var i = _players.Count - 1; i >= 0; i--)
            {
                if (!_players[i].Stats.Ended) continue;
                _players.RemoveAt(i);
                _runs.RemoveAt(i);
            }
        }
    }

    private async Task MonitorAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var setupTicks = (long)(SetupTimeout.TotalSeconds * Stopwatch.Frequency);
        var stallTicks = (long)(StallAfter.TotalSeconds * Stopwatch.Frequency);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var player in Players)
                {
                    var s = player.Stats;
                    if (s.Ended || s.Closing) continue;
                    var playing = Volatile.Read(ref s.PlayStarted);
                    if (playing == 0)
                    {
                        if (now - s.ConnectStarted > setupTicks)
                        {
                            s.Fail($"not playing after {SetupTimeout.TotalSeconds:0} s");
                            player.Close();
                        }
                        continue;
                    }
                    var last = Volatile.Read(ref s.LastMedia);
                    if (last == 0) last = playing;
                    if (!s.InStall && now - last > stallTicks)
                    {
                        s.InStall = true;
                        s.Stalls++;
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Closes every player, stops the publishers, waits for all of them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        foreach (var p in Players) p.Close();
        _stop.Cancel();
        Task[] runs;
        lock (_gate) runs = _runs.ToArray();
        await Task.WhenAny(Task.WhenAll(runs.Concat(_publishing).Append(_monitor)), Task.Delay(TimeSpan.FromSeconds(15)));
    }
}

/// <summary>Where players go: the RTMP URL (publishers always use RTMP) and, for HTTP-FLV players, the HTTP server.</summary>
public sealed class PlayTarget(RtmpUrl rtmp, string[] streams, bool flv, PlayContext context, string flvHost, bool digestHandshake)
{
    public RtmpUrl Rtmp { get; } = rtmp;
    public string[] Streams { get; } = streams;
    public bool Flv { get; } = flv;
    public PlayContext Context { get; } = context;
    public string Protocol => Flv ? "flv" : "rtmp";

    public string Describe(string stream) => Flv
        ? $"http://{flvHost}/{Rtmp.App}/{stream}.flv"
        : Rtmp.WithStream(stream).ToString();

    public MediaPlayer Create(int index)
    {
        var stream = Streams[index % Streams.Length];
        var stats = new PlayerStats(index, stream);
        return Flv
            ? new FlvPlayer(stats, Context, flvHost, $"/{Rtmp.App}/{stream}.flv")
            : new RtmpPlayer(stats, Context, Rtmp.WithStream(stream), digestHandshake);
    }

    /// <summary>The stream names: the URL's stream for one, NAME-0 .. NAME-(K-1) for several.</summary>
    public static string[] StreamNames(RtmpUrl url, int count) =>
        count == 1 ? [url.Stream] : Enumerable.Range(0, count).Select(i => $"{url.Stream}-{i}").ToArray();
}
