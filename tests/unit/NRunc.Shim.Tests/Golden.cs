using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Xunit;

namespace NRunc.Shim.Tests;

/// <summary>Golden files under tests/unit/NRunc.Shim.Tests/golden; UPDATE_GOLDEN=1 rewrites them.</summary>
internal static class Golden
{
    static string Dir([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "golden");

    public static void AssertMatches(string name, string actual)
    {
        var path = Path.Combine(Dir(), name + ".txt");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Dir());
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; actual:\n{actual}\n(run with UPDATE_GOLDEN=1 to create it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    /// <summary>
    /// The message as decoded from its own wire bytes, one "name(field number) = value" line per set field
    /// (nested messages as paths, repeated fields with [i]), in field-number order.
    /// </summary>
    public static string Dump(IMessage m)
    {
        var decoded = m.Descriptor.Parser.ParseFrom(m.ToByteArray());
        var sb = new System.Text.StringBuilder();
        Walk(decoded, "", sb);
        return sb.ToString();
    }

    static void Walk(IMessage m, string prefix, System.Text.StringBuilder sb)
    {
        foreach (var f in m.Descriptor.Fields.InFieldNumberOrder())
        {
            var name = $"{prefix}{f.Name}({f.FieldNumber})";
            var v = f.Accessor.GetValue(m);
            if (f.IsRepeated)
            {
                int i = 0;
                foreach (var item in (IList)v) Value(f, $"{name}[{i++}]", item, sb);
            }
            else if (f.FieldType == FieldType.Message ? v != null : !IsDefault(v)) Value(f, name, v, sb);
        }
    }

    static void Value(FieldDescriptor f, string name, object v, System.Text.StringBuilder sb)
    {
        if (f.FieldType == FieldType.Message)
        {
            var before = sb.Length;
            Walk((IMessage)v, name + ".", sb);
            if (sb.Length == before) sb.Append(name).Append(" = {}\n");
        }
        else sb.Append(name).Append(" = ").Append(v is string s ? "\"" + s + "\"" : v.ToString()).Append('\n');
    }

    static bool IsDefault(object v) => v is string s ? s.Length == 0 : v is ulong u ? u == 0 : v is uint n ? n == 0 : v is bool b && !b;
}
