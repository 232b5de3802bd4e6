using System.Net;
using System.Text.Json;
using Xunit.Sdk;

namespace Srs.Integration.Tests.Harness;

/// <summary>One answer of the HTTP API: status, raw body and (when it is JSON) the parsed root.</summary>
public sealed record ApiResponse(string Method, string Path, HttpStatusCode Status, string Body)
{
    private JsonElement? _json;

    /// <summary>The body as JSON; fails the test with the raw body when it is not JSON.</summary>
    public JsonElement Json
    {
        get
        {
            if (_json is { } parsed) return parsed;
            try
            {
                using var doc = JsonDocument.Parse(Body);
                _json = doc.RootElement.Clone();
                return _json.Value;
            }
            catch (JsonException e)
            {
                throw new XunitException($"{this}: body is not JSON ({e.Message})");
            }
        }
    }

    /// <summary>The SRS envelope's "code" (0 = success).</summary>
    public int Code => Json.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number
        ? c.GetInt32()
        : throw new XunitException($"{this}: no numeric \"code\" in the envelope");

    /// <summary>Fails unless HTTP 200 with code 0.</summary>
    public ApiResponse EnsureOk()
    {
        if (Status != HttpStatusCode.OK || Code != 0)
            throw new XunitException($"expected HTTP 200 with code 0, got {this}");
        return this;
    }

    public override string ToString()
    {
        var body = Body.Length > 3000 ? Body[..3000] + "..." : Body;
        return $"{Method} {Path} -> HTTP {(int)Status}: {body}";
    }
}
