using System.Text.Json.Serialization;

namespace Srs.Actors.Hooks;

/// <summary>
/// The JSON body SRS POSTs to a hook: snake_case names except SRS's own <c>tcUrl</c> and
/// <c>pageUrl</c>, in SRS's order; absent values are written as null.
/// </summary>
public sealed record HookRequest(
    string Action,
    string ClientId,
    string Ip,
    string Vhost,
    string? App,
    string? Stream,
    [property: JsonPropertyName("tcUrl")] string? TcUrl,
    [property: JsonPropertyName("pageUrl")] string? PageUrl,
    string? Param);
