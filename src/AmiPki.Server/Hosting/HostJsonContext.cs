using System.Text.Json.Serialization;

namespace AmiPki.Server.Hosting;

/// <summary>Source-generated JSON for the host's own answers (the slim builder has no reflection-based serializer).</summary>
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(ReadinessStatus))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class HostJsonContext : JsonSerializerContext;
