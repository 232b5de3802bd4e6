namespace Srs.Testing;

/// <summary>An HTTP-FLV player that only counts the bytes it receives, until the response ends.</summary>
public sealed class FlvReader : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _cts = new();
    private long _bytes;

    public Task Completion { get; }
    public long Bytes => Interlocked.Read(ref _bytes);

    public FlvReader(string url) => Completion = ReadAsync(url);

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

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        await Completion;
        _http.Dispose();
    }
}
