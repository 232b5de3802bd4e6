using System.Text.Json.Serialization;

namespace Srs.Node.Http;

/// <summary>
/// Source-generated serializers of the API's bodies (ApiShapes.cs): property names in
/// snake_case, nulls written (SRS's clients expect <c>"video": null</c>).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(OkBody))]
[JsonSerializable(typeof(StatusBody))]
[JsonSerializable(typeof(NotReadyBody))]
[JsonSerializable(typeof(GcBody))]
[JsonSerializable(typeof(VersionsBody))]
[JsonSerializable(typeof(SummariesBody))]
[JsonSerializable(typeof(StreamsBody))]
[JsonSerializable(typeof(StreamBody))]
[JsonSerializable(typeof(ClientsBody))]
[JsonSerializable(typeof(ClientBody))]
[JsonSerializable(typeof(ClusterBody))]
[JsonSerializable(typeof(ClusterStreamsBody))]
[JsonSerializable(typeof(OriginsBody))]
[JsonSerializable(typeof(NodeView))]
[JsonSerializable(typeof(ServiceCounters))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
