using System.Net.Http.Json;
using System.Text.Json;
using Srs.Actors.Configuration;
using Srs.Actors.Stats;
using Srs.Actors.Streams;

namespace Srs.Actors.Hooks;

public enum HookEvent { OnConnect, OnPublish, OnUnpublish, OnPlay, OnStop }

/// <summary>
/// SRS-compatible HTTP callbacks: POSTs a JSON body {action, client_id, ip, vhost, app, stream, ...}
/// to each configured URL. For on_connect, on_publish and on_play the client is allowed only when
/// every URL answers 2xx with a body of "0" or {"code": 0}; the others are notifications.
/// </summary>
public sealed class HttpHooks(HookSettings settings, HttpClient? http = null)
{
    // Made on the first call: the HTTP client stack (with TLS, which maps libcrypto) is ~7 MB of
    // memory that a node without hooks never needs (docs/performance.md, "Idle footprint").
    private HttpClient? _http = http;

    private HttpClient Http => LazyInitializer.EnsureInitialized(ref _http, () => new HttpClient { Timeout = settings.Timeout });

    public bool Any => settings.Any;

    /// <summary>Null when allowed, else the reason the hook refused.</summary>
    /// <param name="warn">Told of failures of notification hooks, which do not refuse anything.</param>
    public async Task<string?> CallAsync(HookEvent ev, ClientStats client, StreamKey? stream, Action<string> warn)
    {
        var urls = ev switch
        {
            HookEvent.OnConnect => settings.OnConnect,
            HookEvent.OnPublish => settings.OnPublish,
            HookEvent.OnUnpublish => settings.OnUnpublish,
            HookEvent.OnPlay => settings.OnPlay,
            _ => settings.OnStop,
        };
        foreach (var url in urls)
        {
            var refusal = await CallOneAsync(url, ev, client, stream);
            if (refusal is null) continue;
            if (ev is HookEvent.OnUnpublish or HookEvent.OnStop)
            {
                warn($"hook {ActionName(ev)} {url} failed (ignored): {refusal}");
                continue;
            }
            return $"hook {ActionName(ev)} {url}: {refusal}";
        }
        return null;
    }

    private async Task<string?> CallOneAsync(string url, HookEvent ev, ClientStats client, StreamKey? stream)
    {
        var body = new HookRequest(
            ActionName(ev), client.Id, client.Ip,
            stream?.Vhost ?? client.Vhost ?? StreamKey.DefaultVhost, stream?.App ?? client.App, stream?.Stream,
            client.TcUrl, client.PageUrl, client.Param);
        try
        {
            using var response = await Http.PostAsJsonAsync(url, body, HookJsonContext.Default.HookRequest);
            var text = (await response.Content.ReadAsStringAsync()).Trim();
            if (!response.IsSuccessStatusCode) return $"HTTP {(int)response.StatusCode}";
            if (text == "0") return null;
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var c) && c == 0)
                    return null;
            }
            catch (JsonException) { }
            return $"answered '{(text.Length > 100 ? text[..100] : text)}', not code 0";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e is TaskCanceledException ? "timed out" : e.Message;
        }
    }

    private static string ActionName(HookEvent ev) => ev switch
    {
        HookEvent.OnConnect => "on_connect",
        HookEvent.OnPublish => "on_publish",
        HookEvent.OnUnpublish => "on_unpublish",
        HookEvent.OnPlay => "on_play",
        _ => "on_stop",
    };
}
