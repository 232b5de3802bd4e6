using System.Text.Json.Serialization;

namespace Srs.Actors.Hooks;

/// <summary>Source-generated, so hooks need no reflection (the node can be compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HookRequest))]
internal sealed partial class HookJsonContext : JsonSerializerContext;
