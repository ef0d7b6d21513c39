using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NRunc.Spec;

/// <summary>
/// Writes runtime-spec documents the way runc does (Go's json.MarshalIndent with a tab): tab
/// indentation, "key": value, Go struct key order, no trailing newline, no needless escaping.
/// </summary>
public static class SpecWriter
{
    private static readonly JsonWriterOptions TabIndented = new()
    {
        Indented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonWriterOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static void Write(Spec spec, Stream stream) => Write(stream, spec, SpecJsonContext.Default.Spec, indented: true);

    public static string ToJson(Spec spec) => ToJson(spec, SpecJsonContext.Default.Spec, indented: true);

    /// <summary>UTF-8 bytes of any runtime-spec document.</summary>
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
