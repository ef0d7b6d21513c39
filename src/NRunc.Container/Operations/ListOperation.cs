using System.Globalization;
using System.Text;
using NRunc.Container.State;
using NRunc.Spec;

namespace NRunc.Container.Operations;

/// <summary>`nrunc list`: one state.json read and one /proc read per container; configs are never loaded.</summary>
public static class ListOperation
{
    public static List<ContainerState> List(StateStore store)
    {
        var result = new List<ContainerState>();
        Dictionary<uint, string>? owners = null;
        if (!Directory.Exists(store.Root)) return result;
        foreach (var dir in Directory.EnumerateDirectories(store.Root))
        {
            var id = Path.GetFileName(dir);
            if (!StateStore.IsValidId(id)) continue;
            ContainerRecord? record;
            try { record = store.TryLoad(id); } // one open per container; null for a half-created or just deleted one
            catch (ContainerException e) { NRunc.Container.Diagnostics.Log.Warn($"list: {e.Message}"); continue; }
            if (record is null) continue;
            var state = record.ToOciState(StatusProbe.Get(store, record));
            if (state.Owner.Length == 0) state.Owner = OwnerOf(store.ContainerDir(id), ref owners);
            result.Add(state);
        }
        return result;
    }

    /// <summary>Compact JSON array and a newline; an empty list is <c>[]</c>, never null.</summary>
    public static byte[] ToJson(List<ContainerState> states)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 * states.Count + 16);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
               { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            w.WriteStartArray();
            foreach (var s in states) StateCodec.WriteOciState(w, s);
            w.WriteEndArray();
        }
        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary>Only the ids, one a line (-q).</summary>
    public static string ToQuiet(List<ContainerState> states)
    {
        var sb = new StringBuilder();
        foreach (var s in states) sb.Append(s.Id).Append('\n');
        return sb.ToString();
    }

    /// <summary>runc's table (Go tabwriter: min width 12, padding 3): ID PID STATUS BUNDLE CREATED OWNER.</summary>
    public static string ToTable(List<ContainerState> states)
    {
        var rows = new List<string[]>(states.Count + 1) { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        foreach (var s in states)
            rows.Add([s.Id, s.Pid.ToString(CultureInfo.InvariantCulture), s.Status, s.Bundle, StateCodec.Rfc3339Nano(s.Created), s.Owner]);
        var widths = new int[6];
        foreach (var r in rows)
            for (int c = 0; c < 5; c++) widths[c] = Math.Max(widths[c], Math.Max(12, r[c].Length + 3));
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            for (int c = 0; c < 5; c++) sb.Append(r[c].PadRight(widths[c]));
            sb.Append(r[5]).Append('\n');
        }
        return sb.ToString();
    }


    /// <summary>runc shows the user owning the container's state dir (or #UID); /etc/passwd is read once per listing.</summary>
    static string OwnerOf(string dir, ref Dictionary<uint, string>? cache)
    {
        uint uid;
        try
        {
            uid = FileOwner.Uid(dir);
        }
        catch (NRunc.Native.NativeException) { return ""; }
        cache ??= ReadPasswd();
        return cache.TryGetValue(uid, out var name) ? name : "#" + uid.ToString(CultureInfo.InvariantCulture);
    }

    static Dictionary<uint, string> ReadPasswd()
    {
        var map = new Dictionary<uint, string>();
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 2 && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var u)) map.TryAdd(u, f[0]);
            }
        }
        catch (IOException) { }
        return map;
    }
}
