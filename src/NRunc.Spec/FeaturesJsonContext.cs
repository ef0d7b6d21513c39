using System.Text.Json.Serialization;

namespace NRunc.Spec;

/// <summary>
/// Metadata for `nrunc features` alone (its writer sets the layout; nulls are omitted). Kept apart from
/// <see cref="SpecJsonContext"/> so nrunc, which reads and writes every other document with the hand-written
/// <see cref="SpecReader"/> and <see cref="SpecJsonWriter"/>, does not carry (and rehydrate at every start) the
/// serializer metadata of the whole spec.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Features))]
public sealed partial class FeaturesJsonContext : JsonSerializerContext;
