using System.Text.Json.Serialization;

namespace NRunc.Container.State;

/// <summary>Source-generated JSON for the state store and the verbs' outputs (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(ContainerStatus))]
[JsonSerializable(typeof(string))]
public sealed partial class StateJsonContext : JsonSerializerContext;
