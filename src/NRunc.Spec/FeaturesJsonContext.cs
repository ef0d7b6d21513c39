using System.Text.Json.Serialization;

namespace NRunc.Spec;

/// <summary>
/// Metadata for `nrunc features` alone, with <see cref="SpecJsonContext"/>'s options. Kept apart so nrunc, which reads
/// and writes every other document with the hand-written <see cref="SpecReader"/> and <see cref="SpecJsonWriter"/>,
/// does not carry (and rehydrate at every start) the serializer metadata of the whole spec.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    IndentCharacter = '\t',
    IndentSize = 1,
    NewLine = "\n",
    GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(Features))]
public sealed partial class FeaturesJsonContext : JsonSerializerContext
{
}
