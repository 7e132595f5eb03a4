using System.Text.Json.Serialization;

namespace AmiPki.Server.Hosting;

/// <summary>Source-generated JSON for the host's own answers (the slim builder has no reflection-based serializer).</summary>
[JsonSerializable(typeof(HealthStatus))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class HostJsonContext : JsonSerializerContext;
