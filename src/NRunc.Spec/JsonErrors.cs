using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NRunc.Spec;

/// <summary>
/// Turns System.Text.Json failures into one clear message. Runs only after a failed parse, so it may
/// scan the input again: first for syntax (line, column), then to find the offending value; the
/// expected type comes from the source-generated metadata, not from exception text.
/// </summary>
internal static class JsonErrors
{
    public static SpecException Describe(ReadOnlySpan<byte> utf8, JsonTypeInfo root, JsonException ex, string fileName)
    {
        if (FindSyntaxError(utf8) is { } syntax)
            return new SpecException(fileName, "", syntax, ex);

        var segments = ParsePath(ex.Path ?? "$");
        string path = JsonPath.Format(segments);
        string expected = DescribeExpected(root, segments);
        string got = DescribeActual(utf8, segments);
        return new SpecException(fileName, path, got.Length == 0 ? $"expected {expected}" : $"expected {expected}, got {got}", ex);
    }

    /// <summary>Returns "invalid JSON at line L, column C: ..." or null when the text is well-formed.</summary>
    internal static string? FindSyntaxError(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read()) { }
            if (reader.TokenType == JsonTokenType.None)
                return "invalid JSON at line 1, column 1: unexpected end of input";
            return null;
        }
        catch (JsonException je)
        {
            long line = (je.LineNumber ?? 0) + 1;
            long col = (je.BytePositionInLine ?? 0) + 1;
            return $"invalid JSON at line {line}, column {col}: {Unexpected(utf8, je.LineNumber ?? 0, je.BytePositionInLine ?? 0)}";
        }
    }

    private static string Unexpected(ReadOnlySpan<byte> utf8, long line, long col)
    {
        int pos = 0;
        for (long l = 0; l < line && pos < utf8.Length; pos++)
            if (utf8[pos] == (byte)'\n') l++;
        pos += (int)col;
        // Skip whitespace the reader had already passed.
        while (pos < utf8.Length && utf8[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') pos++;
        if (pos >= utf8.Length) return "unexpected end of input";
        byte b = utf8[pos];
        if (b < 0x20 || b >= 0x7f) return $"unexpected byte 0x{b:x2}";
        return $"unexpected character '{(char)b}'";
    }

    // --- path handling -------------------------------------------------------------------------

    /// <summary>Splits an STJ path ("$.a.b[2]['x.y']") into segments: string names and int indexes.</summary>
    internal static List<object> ParsePath(string path)
    {
        var segs = new List<object>();
        int i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int start = ++i;
                while (i < path.Length && path[i] != '.' && path[i] != '[') i++;
                segs.Add(path[start..i]);
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) break;
                segs.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int idx)) break;
                segs.Add(idx);
                i = end + 1;
            }
            else break;
        }
        return segs;
    }

    private static string DescribeExpected(JsonTypeInfo root, List<object> segments)
    {
        JsonTypeInfo? ti = root;
        foreach (var seg in segments)
        {
            if (ti is null) break;
            Type? next = null;
            if (seg is string name && ti.Kind == JsonTypeInfoKind.Object)
            {
                foreach (var p in ti.Properties)
                    if (p.Name == name) { next = p.PropertyType; break; }
            }
            else if (seg is string && ti.Kind == JsonTypeInfoKind.Dictionary) next = ti.ElementType;
            else if (seg is int && ti.Kind == JsonTypeInfoKind.Enumerable) next = ti.ElementType;
            ti = next is null ? null : ti.Options.GetTypeInfo(next);
        }
        if (ti is null) return "a valid value";
        return ti.Kind switch
        {
            JsonTypeInfoKind.Object => "an object",
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary => ti.ElementType == typeof(string) ? "an object of strings" : "an object",
            _ => DescribeScalar(Nullable.GetUnderlyingType(ti.Type) ?? ti.Type),
        };
    }

    private static string DescribeScalar(Type t)
    {
        if (t == typeof(string)) return "a string";
        if (t == typeof(bool)) return "a boolean";
        if (t == typeof(uint)) return "an unsigned integer (uint32)";
        if (t == typeof(ulong)) return "an unsigned integer (uint64)";
        if (t == typeof(ushort)) return "an unsigned integer (uint16)";
        if (t == typeof(int)) return "an integer (int32)";
        if (t == typeof(long)) return "an integer (int64)";
        if (t == typeof(DateTime)) return "an RFC 3339 timestamp";
        return "a valid value";
    }

    private static string DescribeActual(ReadOnlySpan<byte> utf8, List<object> segments)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var el = doc.RootElement;
            foreach (var seg in segments)
            {
                if (seg is string name)
                {
                    if (el.ValueKind != JsonValueKind.Object) return "";
                    JsonElement found = default;
                    bool ok = false;
                    foreach (var prop in el.EnumerateObject()) // last duplicate wins, as in Go
                        if (prop.NameEquals(name)) { found = prop.Value; ok = true; }
                    if (!ok) return "";
                    el = found;
                }
                else
                {
                    int idx = (int)seg;
                    if (el.ValueKind != JsonValueKind.Array || idx >= el.GetArrayLength()) return "";
                    el = el[idx];
                }
            }
            return el.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "an array",
                _ => Truncate(el.GetRawText()),
            };
        }
        catch (JsonException)
        {
            return "";
        }
        catch (InvalidOperationException)
        {
            return "text that is not valid UTF-8";
        }
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..60] + "...";
}

/// <summary>Formats JSON paths for messages: process.args[0], linux.sysctl["net.ipv4.ip_forward"].</summary>
public static class JsonPath
{
    /// <summary>Appends a member name: ".name", or ["na.me"] when it is not a plain identifier.</summary>
    public static string Member(string parent, string name)
    {
        bool plain = name.Length > 0;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')) { plain = false; break; }
        if (plain) return parent.Length == 0 ? name : parent + "." + name;
        var sb = new StringBuilder(parent).Append("[\"");
        foreach (char c in name)
        {
            if (c == '"' || c == '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append("\"]").ToString();
    }

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    internal static string Format(List<object> segments)
    {
        string path = "";
        foreach (var s in segments)
            path = s is int i ? Index(path, i) : Member(path, (string)s);
        return path;
    }
}
