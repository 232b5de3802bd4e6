using Srs.Actors.Streams;

namespace Srs.Actors.Stats;

/// <summary>
/// What the API shows of one live source. Written only by its SourceActor, read by the HTTP API.
/// </summary>
public sealed class StreamStats(string id, StreamKey key)
{
    private long _bytesIn;
    private long _videoFrames;
    private long _audioFrames;
    private int _clients;

    public string Id { get; } = id;
    public StreamKey Key { get; } = key;
    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;
    public volatile string? PublisherClientId;
    public volatile string? VideoCodec;
    public volatile string? VideoProfile;
    public volatile string? VideoLevel;
    public volatile int Width;
    public volatile int Height;
    public volatile string? AudioCodec;
    public volatile int AudioSampleRate;
    public volatile int AudioChannels;
    public volatile string? AudioProfile;

    public bool Publishing => PublisherClientId is not null;
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long VideoFrames => Interlocked.Read(ref _videoFrames);
    public long AudioFrames => Interlocked.Read(ref _audioFrames);
    public long Frames => VideoFrames;
    public int Clients { get => Volatile.Read(ref _clients); set => Volatile.Write(ref _clients, value); }

    public void OnMedia(bool video, int bytes)
    {
        Interlocked.Add(ref _bytesIn, bytes);
        if (video) Interlocked.Increment(ref _videoFrames); else Interlocked.Increment(ref _audioFrames);
    }

    private readonly KbpsMeter _kbps = new();
    public int KbpsRecv => _kbps.Kbps(BytesIn);
}
