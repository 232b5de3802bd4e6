using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// An HTTP server standing in for an SRS hook endpoint (HttpListener on a free loopback port).
/// It keeps every request's path and JSON body, and answers by path: /allow "0", /notify
/// {"code": 0}, /deny {"code": 403}, /fail HTTP 500.
/// </summary>
public sealed class HookServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public int Port { get; }
    public ConcurrentQueue<HookCall> Calls { get; } = new();

    private HookServer(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public static HookServer Start() => new(FreePort.Next());

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    public IEnumerable<HookCall> Of(string action) => Calls.Where(c => c.Action == action);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Calls.Enqueue(new HookCall(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, body));
            var (status, answer) = context.Request.Url.AbsolutePath switch
            {
                "/allow" => (200, "0"),
                "/notify" => (200, """{"code": 0}"""),
                "/deny" => (200, """{"code": 403}"""),
                _ => (500, "no"),
            };
            context.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(answer);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}

/// <summary>One request a hook endpoint received.</summary>
public sealed record HookCall(string Method, string Path, string? ContentType, string Body)
{
    /// <summary>The body parsed; an empty object when it is not a JSON object (Action is then null).</summary>
    public JsonElement Json { get; } = Parse(Body);
    public string? Action => Field("action");
    public string? Field(string name) => Json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    public IEnumerable<string> Names => Json.EnumerateObject().Select(p => p.Name);

    private static JsonElement Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc.RootElement.Clone();
        }
        catch (JsonException) { }
        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }
}
