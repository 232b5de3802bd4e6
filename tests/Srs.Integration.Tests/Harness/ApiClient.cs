using System.Net;

namespace Srs.Integration.Tests.Harness;

/// <summary>The node's HTTP API (section 7) over a plain HttpClient.</summary>
public sealed class ApiClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };

    public Uri BaseAddress => baseAddress;

    public async Task<HttpStatusCode> GetStatusAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return response.StatusCode;
    }

    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new ApiResponse(method.Method, path, response.StatusCode, body);
    }

    public async Task<IReadOnlyList<StreamInfo>> StreamsAsync()
    {
        var r = (await GetAsync("api/v1/streams")).EnsureOk();
        return r.Json.Array("streams").Select(StreamInfo.Parse).ToList();
    }

    /// <summary>The stream named <paramref name="name"/> in app "live", or null.</summary>
    public async Task<StreamInfo?> FindStreamAsync(string name, string app = "live") =>
        (await StreamsAsync()).FirstOrDefault(s => s.Name == name && s.App == app);

    public async Task<IReadOnlyList<ClientInfo>> ClientsAsync()
    {
        var r = (await GetAsync("api/v1/clients")).EnsureOk();
        return r.Json.Array("clients").Select(ClientInfo.Parse).ToList();
    }

    /// <summary>The clients whose "stream" names this stream (by its id, or by its name).</summary>
    public async Task<IReadOnlyList<ClientInfo>> ClientsOfAsync(string streamName, string app = "live")
    {
        var stream = await FindStreamAsync(streamName, app);
        return (await ClientsAsync()).Where(c => c.Stream == streamName || (stream is not null && c.Stream == stream.Id)).ToList();
    }

    public void Dispose() => _http.Dispose();
}
