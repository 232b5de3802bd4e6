namespace Srs.Testing;

/// <summary>An HTTP-FLV player that only counts the bytes it receives, until the response ends.</summary>
public sealed class CountingFlvPlayer : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _cts = new();
    private long _bytes;

    public Task Completion { get; }
    public long Bytes => Interlocked.Read(ref _bytes);

    public CountingFlvPlayer(string url) => Completion = ReadAsync(url);

    private async Task ReadAsync(string url)
    {
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, _cts.Token);
            await using var body = await response.Content.ReadAsStreamAsync(_cts.Token);
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer, _cts.Token)) > 0) Interlocked.Add(ref _bytes, n);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException) { }
    }

    /// <summary>
    /// Plays <paramref name="url"/> over HTTP-FLV and returns once the first video keyframe tag
    /// arrives; throws when the response ends first or after <paramref name="deadline"/>.
    /// </summary>
    public static async Task FirstKeyframeAsync(string url, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(limit.Token);
        var header = new byte[13]; // FLV header (9) and the first PreviousTagSize (4)
        await body.ReadExactlyAsync(header, limit.Token);
        var tag = new byte[11];
        while (true)
        {
            await body.ReadExactlyAsync(tag, limit.Token);
            var size = (tag[1] << 16) | (tag[2] << 8) | tag[3];
            var data = new byte[size + 4]; // the tag's data and the PreviousTagSize after it
            await body.ReadExactlyAsync(data, limit.Token);
            if (tag[0] == 9 && size > 1 && data[0] == 0x17 && data[1] == 0x01) return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        await Completion;
        _http.Dispose();
    }
}
