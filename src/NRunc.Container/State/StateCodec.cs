using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NRunc.Container.State;

/// <summary>
/// Hand-written JSON for the hot path (state, list, kill, delete read a record on every call): Utf8JsonReader and
/// Utf8JsonWriter directly, without System.Text.Json's serializer metadata start-up. The format is the one
/// <see cref="StateJsonContext"/> reads and writes (camelCase, nulls left out), and tests hold the two together.
/// </summary>
public static class StateCodec
{
    static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static byte[] Write(ContainerRecord r)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, r.Id);
            w.WriteNumber("initPid"u8, r.InitPid);
            w.WriteNumber("initStartTime"u8, r.InitStartTime);
            w.WriteString("bundle"u8, r.Bundle);
            w.WriteString("rootfs"u8, r.Rootfs);
            w.WriteString("created"u8, r.Created);
            w.WriteString("owner"u8, r.Owner);
            if (r.Annotations is not null) WriteMap(w, "annotations"u8, r.Annotations);
            WriteMap(w, "cgroupPaths"u8, r.CgroupPaths);
            w.WriteBoolean("systemdCgroup"u8, r.SystemdCgroup);
            w.WriteBoolean("rootless"u8, r.Rootless);
            if (r.ConfigPath is not null) w.WriteString("configPath"u8, r.ConfigPath);
            if (r.Extra is not null) WriteMap(w, "extra"u8, r.Extra);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void WriteMap(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map) w.WriteString(k, v);
        w.WriteEndObject();
    }

    /// <summary>Parses a record; unknown members are skipped (a newer nrunc may add fields). Throws JsonException.</summary>
    public static ContainerRecord Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var r = new ContainerRecord();
        Expect(ref reader, JsonTokenType.StartObject);
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) break;
            if (reader.TokenType != JsonTokenType.PropertyName) throw new JsonException("expected a property name");
            if (reader.ValueTextEquals("id"u8)) r.Id = ReadString(ref reader);
            else if (reader.ValueTextEquals("initPid"u8)) { reader.Read(); r.InitPid = reader.GetInt32(); }
            else if (reader.ValueTextEquals("initStartTime"u8)) { reader.Read(); r.InitStartTime = reader.GetUInt64(); }
            else if (reader.ValueTextEquals("bundle"u8)) r.Bundle = ReadString(ref reader);
            else if (reader.ValueTextEquals("rootfs"u8)) r.Rootfs = ReadString(ref reader);
            else if (reader.ValueTextEquals("created"u8)) { reader.Read(); r.Created = reader.GetDateTimeOffset(); }
            else if (reader.ValueTextEquals("owner"u8)) r.Owner = ReadString(ref reader);
            else if (reader.ValueTextEquals("annotations"u8)) r.Annotations = ReadMap(ref reader);
            else if (reader.ValueTextEquals("cgroupPaths"u8)) r.CgroupPaths = ReadMap(ref reader) ?? new();
            else if (reader.ValueTextEquals("systemdCgroup"u8)) { reader.Read(); r.SystemdCgroup = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("rootless"u8)) { reader.Read(); r.Rootless = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("configPath"u8)) { reader.Read(); r.ConfigPath = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); }
            else if (reader.ValueTextEquals("extra"u8)) r.Extra = ReadMap(ref reader);
            else { reader.Read(); reader.Skip(); }
        }
        return r;
    }

    static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type) throw new JsonException($"expected {type}, found {reader.TokenType}");
    }

    static string ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? "" : reader.GetString()!;
    }

    static Dictionary<string, string>? ReadMap(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected an object");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.GetString() ?? "";
        }
        return map;
    }

    /// <summary>
    /// The `state` output exactly as runc prints it (json.MarshalIndent with two spaces, runc's key order, RFC 3339
    /// nanosecond UTC time, annotations only when present, no trailing newline), written without serializer metadata.
    /// </summary>
    public static byte[] WriteOciState(NRunc.Spec.ContainerState s, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = indented, IndentSize = 2, IndentCharacter = ' ', NewLine = "\n",
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true,
               }))
        {
            WriteOciState(w, s);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteOciState(Utf8JsonWriter w, NRunc.Spec.ContainerState s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion"u8, s.OciVersion);
        w.WriteString("id"u8, s.Id);
        w.WriteNumber("pid"u8, s.Pid);
        w.WriteString("status"u8, s.Status);
        w.WriteString("bundle"u8, s.Bundle);
        w.WriteString("rootfs"u8, s.Rootfs);
        w.WriteString("created"u8, Rfc3339Nano(s.Created));
        if (s.Annotations is not null) WriteMap(w, "annotations"u8, s.Annotations);
        w.WriteString("owner"u8, s.Owner);
        w.WriteEndObject();
    }

    /// <summary>Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, none when zero.</summary>
    public static string Rfc3339Nano(DateTime t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
