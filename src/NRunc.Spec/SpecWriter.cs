using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NRunc.Spec;

/// <summary>
/// Writes runtime-spec documents the way runc does (Go's json.MarshalIndent with a tab for
/// config.json, two spaces for `state`): "key": value, Go struct key order, no trailing newline,
/// no needless escaping. Spec, Process, LinuxResources and ContainerState go through the
/// hand-written <see cref="SpecJsonWriter"/> (fast first call); other types through <see cref="SpecJsonContext"/>.
/// </summary>
public static class SpecWriter
{
    /// <summary>config.json style: tabs.</summary>
    public static readonly JsonWriterOptions TabIndented = new()
    {
        Indented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>`runc state` style: two spaces.</summary>
    public static readonly JsonWriterOptions TwoSpaceIndented = new()
    {
        Indented = true,
        IndentCharacter = ' ',
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>One line (`list --format json`, internal files).</summary>
    public static readonly JsonWriterOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    // --- config.json ---------------------------------------------------------------------------

    public static void Write(Spec spec, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, TabIndented);
        SpecJsonWriter.Write(w, spec);
    }

    public static byte[] ToUtf8(Spec spec, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, indented ? TabIndented : Compact)) SpecJsonWriter.Write(w, spec);
        return ms.ToArray();
    }

    public static string ToJson(Spec spec) => System.Text.Encoding.UTF8.GetString(ToUtf8(spec));

    // --- parts and state -----------------------------------------------------------------------

    public static void WriteProcess(Utf8JsonWriter writer, Process process) => SpecJsonWriter.Write(writer, process);

    public static void WriteResources(Utf8JsonWriter writer, LinuxResources resources) => SpecJsonWriter.Write(writer, resources);

    public static void WriteSeccomp(Utf8JsonWriter writer, LinuxSeccomp seccomp) => SpecJsonWriter.Write(writer, seccomp);

    /// <summary>Compact UTF-8 of a seccomp section (for example as a cache key).</summary>
    public static byte[] SeccompToUtf8(LinuxSeccomp seccomp)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Compact)) SpecJsonWriter.Write(w, seccomp);
        return ms.ToArray();
    }

    public static void WriteState(Utf8JsonWriter writer, ContainerState state) => SpecJsonWriter.Write(writer, state);

    /// <summary>The OCI state as hooks read it on stdin (compact).</summary>
    public static byte[] OciStateToUtf8(OciState state)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Compact)) SpecJsonWriter.Write(w, state);
        return ms.ToArray();
    }

    /// <summary>The message for the seccomp listener (compact).</summary>
    public static byte[] ContainerProcessStateToUtf8(ContainerProcessState state)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Compact)) SpecJsonWriter.Write(w, state);
        return ms.ToArray();
    }

    /// <summary>A JSON array of states (`list --format json`); an empty list gives "[]".</summary>
    public static void WriteStates(Utf8JsonWriter writer, IEnumerable<ContainerState> states)
    {
        writer.WriteStartArray();
        foreach (var s in states) SpecJsonWriter.Write(writer, s);
        writer.WriteEndArray();
    }

    /// <summary>State as `runc state` prints it (two-space indentation) or compact.</summary>
    public static byte[] StateToUtf8(ContainerState state, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, indented ? TwoSpaceIndented : Compact)) SpecJsonWriter.Write(w, state);
        return ms.ToArray();
    }

    // --- anything else (features, ...) via the source-generated context -------------------------

    /// <summary>UTF-8 bytes of any runtime-spec document (tab-indented or compact).</summary>
    public static byte[] ToUtf8<T>(T value, JsonTypeInfo<T> typeInfo, bool indented = true)
    {
        using var ms = new MemoryStream();
        Write(ms, value, typeInfo, indented);
        return ms.ToArray();
    }

    public static string ToJson<T>(T value, JsonTypeInfo<T> typeInfo, bool indented = true)
        => System.Text.Encoding.UTF8.GetString(ToUtf8(value, typeInfo, indented));

    public static void Write<T>(Stream stream, T value, JsonTypeInfo<T> typeInfo, bool indented = true)
    {
        using var writer = new Utf8JsonWriter(stream, indented ? TabIndented : Compact);
        JsonSerializer.Serialize(writer, value, typeInfo);
        writer.Flush();
    }
}
