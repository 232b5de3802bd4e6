using System.Text.Json;
using Xunit.Sdk;

namespace Srs.Integration.Tests.Harness;

/// <summary>Reads the fields the API contract names; a missing or mistyped one fails with the JSON shown.</summary>
public static class JsonFields
{
    public static JsonElement Req(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v))
            throw new XunitException($"API contract: field \"{name}\" missing in {e.GetRawText()}");
        return v;
    }

    public static string Str(this JsonElement e, string name)
    {
        var v = e.Req(name);
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            _ => throw new XunitException($"API contract: field \"{name}\" should be a string in {e.GetRawText()}"),
        };
    }

    public static string? StrOrNull(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())
            : null;

    public static double Num(this JsonElement e, string name)
    {
        var v = e.Req(name);
        return v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new XunitException($"API contract: field \"{name}\" should be a number in {e.GetRawText()}");
    }

    public static bool Bool(this JsonElement e, string name)
    {
        var v = e.Req(name);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new XunitException($"API contract: field \"{name}\" should be a boolean in {e.GetRawText()}"),
        };
    }

    /// <summary>An object field that may be null (e.g. "video" before the sequence header).</summary>
    public static JsonElement? ObjOrNull(this JsonElement e, string name)
    {
        var v = e.Req(name);
        return v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Object => v,
            _ => throw new XunitException($"API contract: field \"{name}\" should be an object or null in {e.GetRawText()}"),
        };
    }

    public static IReadOnlyList<JsonElement> Array(this JsonElement e, string name)
    {
        var v = e.Req(name);
        return v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().ToList()
            : throw new XunitException($"API contract: field \"{name}\" should be an array in {e.GetRawText()}");
    }
}
