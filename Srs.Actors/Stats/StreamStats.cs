using Srs.Actors.Streams;

namespace Srs.Actors.Stats;

/// <summary>
/// What the API shows of one live source. Written only by its SourceActor, read by the HTTP API.
/// </summary>
/// <remarks>
/// The bytes sent to the stream's players are not counted per packet here: each player's media pump
/// counts its own (<see cref="ClientStats.BytesOut"/>), and a read sums the current players' counters
/// plus what the players that have left had received. Joins and leaves take a lock, a read takes it
/// too (so a leaving player is counted exactly once), the media path never does.
/// </remarks>
public sealed class StreamStats(string id, StreamKey key)
{
    private long _bytesIn;
    private long _frames;
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
    /// <summary>Video frames received, as SRS counts a stream's frames.</summary>
    public long Frames => Interlocked.Read(ref _frames);
    public int Clients { get => Volatile.Read(ref _clients); set => Volatile.Write(ref _clients, value); }

    public void OnMedia(bool video, int bytes)
    {
        Interlocked.Add(ref _bytesIn, bytes);
        if (video) Interlocked.Increment(ref _frames);
    }

    private readonly KbpsMeter _kbps = new();
    public int KbpsRecv => _kbps.Kbps(BytesIn);

    /// <summary>A player of this stream and its bytes sent when it joined (a connection may have played another stream before).</summary>
    private readonly record struct PlayerBytes(ClientStats Client, long AtJoin)
    {
        public long Sent => Math.Max(0, Client.BytesOut - AtJoin);
    }

    private readonly object _playersGate = new();
    private readonly Dictionary<string, PlayerBytes> _players = new();
    private long _departedBytesOut;
    private long _sendBytesReported;

    /// <summary>A player joined (SourceActor, on its play).</summary>
    public void PlayerJoined(ClientStats client)
    {
        lock (_playersGate)
        {
            if (_players.Remove(client.Id, out var previous)) _departedBytesOut += previous.Sent;
            _players[client.Id] = new PlayerBytes(client, client.BytesOut);
        }
    }

    /// <summary>A player left (SourceActor): what it received stays in <see cref="SendBytes"/>.</summary>
    public void PlayerLeft(string clientId)
    {
        lock (_playersGate)
            if (_players.Remove(clientId, out var player)) _departedBytesOut += player.Sent;
    }

    /// <summary>Bytes sent to the stream's players since the stream was created, those that have left included.</summary>
    public long SendBytes
    {
        get
        {
            lock (_playersGate)
            {
                var sum = _departedBytesOut;
                foreach (var p in _players.Values) sum += p.Sent;
                // A player's own counter can restart (a new pump on the same connection): never report less than before.
                return _sendBytesReported = Math.Max(_sendBytesReported, sum);
            }
        }
    }

    private readonly KbpsMeter _sendKbps = new();
    public int KbpsSend => _sendKbps.Kbps(SendBytes);
}
