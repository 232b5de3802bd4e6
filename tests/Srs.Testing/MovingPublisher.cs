using Srs.Protocol.Rtmp.Client;

namespace Srs.Testing;

/// <summary>
/// A live publisher on the project's own client that honours reconnect requests
/// (<see cref="RtmpPublisher"/>): 25 frames a second, a keyframe every second, until disposed.
/// Frames are the <see cref="HeldPublisher"/>'s, numbered by their timestamps.
/// </summary>
public sealed class MovingPublisher : IAsyncDisposable
{
    private static readonly byte[] InterFrame = Convert.FromHexString("2701000000" + "00000005" + "4188840021");
    private const int FrameMs = 40;
    private const int Gop = 25;

    private readonly RtmpPublisher _publisher;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;

    private MovingPublisher(RtmpPublisher publisher)
    {
        _publisher = publisher;
        _sending = Task.Run(SendAsync);
    }

    public int Moves => _publisher.Moves;
    public Exception? MoveError { get; private set; }
    /// <summary>Ends with the reason the publish stopped before it was disposed (the server closed it).</summary>
    public Task Sending => _sending;

    public static async Task<MovingPublisher> StartAsync(int port, string app, string stream, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        var publisher = await RtmpPublisher.StartAsync((tcUrl, ct) => OpenAsync(tcUrl is null ? port : new Uri(tcUrl).Port, app, ct), stream, limit.Token);
        var moving = new MovingPublisher(publisher);
        publisher.MoveFailed += e => moving.MoveError = e;
        return moving;
    }

    private static async Task<RtmpClientConnection> OpenAsync(int port, string app, CancellationToken ct)
    {
        var (_, rtmp) = await HeldPublisher.OpenAsync(port, app, ct, new RtmpClientOptions { HonoursReconnect = true });
        return rtmp; // its stream owns the socket: disposing the connection closes it
    }

    private async Task SendAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _publisher.SendVideoAsync(0, HeldPublisher.SequenceHeader, _stop.Token);
        for (var frame = 0; !_stop.IsCancellationRequested; frame++)
        {
            var at = frame * FrameMs;
            var wait = at - clock.ElapsedMilliseconds;
            if (wait > 0)
            {
                try { await Task.Delay((int)wait, _stop.Token); }
                catch (OperationCanceledException) { return; }
            }
            await _publisher.SendVideoAsync((uint)at, frame % Gop == 0 ? HeldPublisher.Keyframe : InterFrame, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _sending; } catch (Exception) { } // the server may have closed it first
        await _publisher.DisposeAsync();
    }
}
