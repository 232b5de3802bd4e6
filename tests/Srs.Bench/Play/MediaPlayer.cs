using System.Diagnostics;
using System.Net.Sockets;
using Srs.Bench.Media;

namespace Srs.Bench.Play;

/// <summary>
/// A lean player over one socket, for thousands at once in one process: a single receive loop
/// (<see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>, which reuses
/// its event args), one pinned receive buffer, media counted and its stamps read in place.
/// Subclasses speak RTMP or HTTP-FLV.
/// </summary>
public abstract class MediaPlayer(PlayerStats stats, PlayContext context)
{
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private bool _batching;

    public PlayerStats Stats { get; } = stats;
    protected PlayContext Context { get; } = context;
    protected Socket Socket => _socket!;
    protected byte[] Buffer { get; } = GC.AllocateUninitializedArray<byte>(context.ReceiveBufferBytes, pinned: true);

    /// <summary>True once playing began, false when it failed first.</summary>
    public Task<bool> Started => _started.Task;

    /// <summary>Completes when the player has ended, whoever ended it.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Connects and plays until the server ends it or <see cref="Close"/>; never throws.</summary>
    public async Task RunAsync()
    {
        Stats.ConnectStarted = Stopwatch.GetTimestamp();
        try
        {
            var socket = new Socket(Context.Server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket = socket;
            if (Stats.Closing) return;
            await socket.ConnectAsync(Context.Server).ConfigureAwait(false);
            Stats.LocalPort = (socket.LocalEndPoint as System.Net.IPEndPoint)?.Port ?? 0;
            await PlayAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or Srs.Protocol.Rtmp.RtmpProtocolException
                                       or InvalidOperationException or FormatException)
        {
            Stats.Fail(e switch
            {
                SocketException s => "socket: " + s.SocketErrorCode,
                ObjectDisposedException => "closed",
                _ => e.GetType().Name + ": " + e.Message,
            });
        }
        finally
        {
            Stats.Ended = true;
            _started.TrySetResult(false);
            _socket?.Dispose();
            _ended.TrySetResult();
        }
    }

    /// <summary>Ends the player from outside (end of run, churn): not counted as an error.</summary>
    public void Close()
    {
        Stats.Closing = true;
        try { _socket?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket?.Dispose();
    }

    /// <summary>The protocol: after TCP connect, until the end.</summary>
    protected abstract Task PlayAsync();

    protected void OnPlayStarted()
    {
        Volatile.Write(ref Stats.PlayStarted, Stopwatch.GetTimestamp());
        _started.TrySetResult(true);
    }

    protected void Fail(string error)
    {
        Stats.Fail(error);
        throw new IOException(error);
    }

    /// <summary>A video message or tag: <paramref name="head"/> is its first bytes (FLV video tag body).</summary>
    protected void OnVideo(ReadOnlySpan<byte> head)
    {
        var now = Stopwatch.GetTimestamp();
        OnMedia(now);
        if (head.Length < 2 || head[1] == 0) return; // AVC sequence header: not a picture
        var s = Stats;
        if ((head[0] >> 4) == 1 && s.FirstKeyframe == 0) Volatile.Write(ref s.FirstKeyframe, now);
        if (s.LastPicture != 0 && now - s.LastPicture > s.LongestPictureGap)
        {
            Volatile.Write(ref s.LongestPictureGap, now - s.LastPicture);
            Volatile.Write(ref s.LongestPictureGapEnd, now);
        }
        Volatile.Write(ref s.LastPicture, now);
        Volatile.Write(ref s.VideoFrames, s.VideoFrames + 1);
        if (!FrameStamp.TryRead(head, out var sent, out var sequence)) return;
        if (s.LastSequence != 0 && sequence > s.LastSequence + 1) s.SequenceGaps += sequence - s.LastSequence - 1;
        s.LastSequence = sequence;
        if (Context.InWindow && !_batching) Context.Latency.Record((now - sent) * 1_000_000 / Stopwatch.Frequency);
    }

    /// <summary>After each read: a player that is not a latency probe switches to batched reads once it has its first keyframe.</summary>
    protected void AfterRead()
    {
        if (_batching || Stats.FirstKeyframe == 0 || Context.IsProbe(Stats.Index)) return;
        _batching = true;
        Socket.SetRawSocketOption(SolSocket, SoRcvLowat, BitConverter.GetBytes(Context.BatchBytes));
    }

    private const int SolSocket = 1;
    private const int SoRcvLowat = 18;

    protected void OnAudio()
    {
        OnMedia(Stopwatch.GetTimestamp());
        Stats.AudioFrames++;
    }

    private void OnMedia(long now)
    {
        var s = Stats;
        if (s.FirstMedia == 0) Volatile.Write(ref s.FirstMedia, now);
        Volatile.Write(ref s.LastMedia, now);
        if (s.InStall) s.InStall = false;
    }

    protected void CountBytes(int n) => Volatile.Write(ref Stats.Bytes, Stats.Bytes + n);
}
