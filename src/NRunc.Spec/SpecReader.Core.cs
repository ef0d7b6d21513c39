using System.Buffers;
using System.Text;
using System.Text.Json;

namespace NRunc.Spec;

/// <summary>
/// Hand-written Utf8JsonReader deserialiser for config.json and its parts. It exists for start-up
/// time: building System.Text.Json's metadata for the ~40 spec types costs about 1.7 ms in a fresh
/// NativeAOT process (every `create` and `exec`), while this reader parses a typical config in tens
/// of microseconds. It follows Go's encoding/json as runc uses it: unknown members are skipped, the
/// last duplicate wins, null leaves a non-pointer value at its zero value. Unit tests check it
/// against the source-generated <see cref="SpecJsonContext"/> on every fixture.
/// </summary>
internal static partial class SpecReader
{
    internal delegate T? Reader<T>(ref Utf8JsonReader r) where T : class;

    /// <summary>A type error; carries the JSON path segments, innermost first, as it unwinds.</summary>
    internal sealed class ReadError(string detail) : Exception(detail)
    {
        public readonly List<object> Segments = new();
        public string Detail => Message;
    }

    public static T Parse<T>(ReadOnlySpan<byte> utf8, Reader<T> read, string fileName) where T : class
    {
        var r = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!r.Read()) throw new SpecException(fileName, "", "invalid JSON at line 1, column 1: unexpected end of input");
            var result = read(ref r) ?? throw new SpecException(fileName, "", "expected a JSON object, got null");
            if (r.Read()) throw new SpecException(fileName, "", JsonErrors.FindSyntaxError(utf8) ?? "unexpected data after the JSON value");
            return result;
        }
        catch (ReadError e)
        {
            e.Segments.Reverse();
            throw new SpecException(fileName, JsonPath.Format(e.Segments), e.Detail, e);
        }
        catch (JsonException e)
        {
            throw new SpecException(fileName, "", JsonErrors.FindSyntaxError(utf8) ?? e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // Invalid UTF-8 inside a string, found by GetString().
            throw new SpecException(fileName, "", "invalid JSON: a string is not valid UTF-8", e);
        }
    }

    // --- structure -------------------------------------------------------------------------------

    /// <summary>At a value: true for an object (then iterate with <see cref="Next"/>), false for null.</summary>
    private static bool Obj(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.StartObject) return true;
        if (r.TokenType == JsonTokenType.Null) return false;
        throw Mismatch(ref r, "an object");
    }

    /// <summary>Moves to the next member's value; false at the end of the object.</summary>
    private static bool Next(ref Utf8JsonReader r, out string name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.EndObject) { name = ""; return false; }
        name = r.GetString()!;
        r.Read();
        return true;
    }

    private static ReadError At(ReadError e, object segment)
    {
        e.Segments.Add(segment);
        return e;
    }

    internal static ReadError Mismatch(ref Utf8JsonReader r, string expected)
        => new($"expected {expected}, got {Describe(ref r)}");

    private static string Describe(ref Utf8JsonReader r)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject: return "an object";
            case JsonTokenType.StartArray: return "an array";
            case JsonTokenType.String:
                var raw = Encoding.UTF8.GetString(r.HasValueSequence ? r.ValueSequence.ToArray() : r.ValueSpan.ToArray());
                var s = "\"" + raw + "\"";
                return s.Length <= 64 ? s : s[..60] + "...";
            default:
                var text = Encoding.UTF8.GetString(r.HasValueSequence ? r.ValueSequence.ToArray() : r.ValueSpan.ToArray());
                return text.Length <= 64 ? text : text[..60] + "...";
        }
    }

    // --- scalars (null → null; callers keep the zero value for non-nullable fields, like Go) ------

    private static string? Str(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            try { return r.GetString(); }
            catch (InvalidOperationException) { throw new ReadError("expected a string, got text that is not valid UTF-8"); }
        }
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch(ref r, "a string");
    }

    private static bool? Bool(ref Utf8JsonReader r)
        => r.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw Mismatch(ref r, "a boolean"),
        };

    private static uint? U32(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out uint v)) return v;
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch(ref r, "an unsigned integer (uint32)");
    }

    private static ulong? U64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out ulong v)) return v;
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch(ref r, "an unsigned integer (uint64)");
    }

    private static ushort? U16(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetUInt16(out ushort v)) return v;
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch(ref r, "an unsigned integer (uint16)");
    }

    private static int? I32(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v)) return v;
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch(ref r, "an integer (int32)");
    }

    private static long? I64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v)) return v;
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch(ref r, "an integer (int64)");
    }

    // --- collections ----------------------------------------------------------------------------

    private static bool Arr(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.StartArray) return true;
        if (r.TokenType == JsonTokenType.Null) return false;
        throw Mismatch(ref r, "an array");
    }

    private static List<string>? Strings(ref Utf8JsonReader r)
    {
        if (!Arr(ref r)) return null;
        var list = new List<string>();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                list.Add(Str(ref r) ?? "");
        }
        catch (ReadError e) { throw At(e, list.Count); }
        return list;
    }

    private static List<uint>? U32s(ref Utf8JsonReader r)
    {
        if (!Arr(ref r)) return null;
        var list = new List<uint>();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                list.Add(U32(ref r) ?? 0);
        }
        catch (ReadError e) { throw At(e, list.Count); }
        return list;
    }

    private static List<T>? List<T>(ref Utf8JsonReader r, Reader<T> read) where T : class, new()
    {
        if (!Arr(ref r)) return null;
        var list = new List<T>();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                list.Add(read(ref r) ?? new T());
        }
        catch (ReadError e) { throw At(e, list.Count); }
        return list;
    }

    private static Dictionary<string, string>? StringMap(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string key = "";
        try
        {
            while (Next(ref r, out key)) map[key] = Str(ref r) ?? "";
        }
        catch (ReadError e) { throw At(e, key); }
        return map;
    }

    private static Dictionary<string, T>? Map<T>(ref Utf8JsonReader r, Reader<T> read) where T : class, new()
    {
        if (!Obj(ref r)) return null;
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        string key = "";
        try
        {
            while (Next(ref r, out key)) map[key] = read(ref r) ?? new T();
        }
        catch (ReadError e) { throw At(e, key); }
        return map;
    }
}
