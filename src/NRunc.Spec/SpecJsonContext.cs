using System.Text.Json.Serialization;

namespace NRunc.Spec;

/// <summary>
/// Source-generated (reflection-free) JSON metadata for every runtime-spec document nrunc reads or
/// writes. Strict like Go's encoding/json (no comments, no trailing commas, no quoted numbers);
/// unknown members are ignored like runc; nulls are omitted on write.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    IndentCharacter = '\t',
    IndentSize = 1,
    NewLine = "\n",
    GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(LinuxSeccomp))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(List<ContainerState>))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(OciState))]
[JsonSerializable(typeof(ContainerProcessState))]
public sealed partial class SpecJsonContext : JsonSerializerContext
{
}
