using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using NRunc.Spec;
using NRunc.Tests.Spec;

namespace NRunc.Tests.Reliability;

/// <summary>
/// Property tests over config.json parse + validate, seeded from spec-fixtures/: whatever the input, the result is a
/// spec or a <see cref="SpecException"/> whose message starts with "config.json" (never another exception type, never
/// a hang), and a value of the wrong type put at a JSON path is reported at that path (or inside it).
/// </summary>
public class ConfigFuzzProperties
{
    static readonly byte[][] Seeds = LoadSeeds("good", "runc", "bad");
    /// <summary>The fixtures that are valid for create as they are: any failure after a mutation comes from the mutation.</summary>
    static readonly byte[][] GoodSeeds = LoadSeeds("good", "runc").Where(b => ParseAndValidate(b) is null).ToArray();

    static byte[][] LoadSeeds(params string[] folders)
    {
        var files = new List<string>();
        foreach (var folder in folders)
            files.AddRange(Directory.GetFiles(Path.Combine(SpecGolden.Fixtures, folder), "*.json").OrderBy(f => f, StringComparer.Ordinal));
        return files.Select(File.ReadAllBytes).Where(b => b.Length > 0).ToArray();
    }

    static readonly JsonNode?[] Hostile =
    [
        null, JsonValue.Create(true), JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(long.MaxValue),
        JsonValue.Create(-9223372036854775807L - 1), JsonValue.Create(1e308), JsonValue.Create(0.5), JsonValue.Create(""),
        JsonValue.Create("x"), JsonValue.Create(new string('a', 5000)), JsonValue.Create("../../../etc/passwd"),
        JsonValue.Create("\u0000"), JsonValue.Create("💥"), new JsonArray(), new JsonArray(JsonValue.Create(1), null),
        new JsonObject(), new JsonObject { ["x"] = 1 },
    ];

    /// <summary>Parses and validates; returns the SpecException, or null when the input is a valid spec.</summary>
    static SpecException? ParseAndValidate(byte[] bytes)
    {
        try
        {
            var spec = ConfigLoader.Parse(bytes);
            SpecValidator.Validate(spec, requireProcess: true);
            return null;
        }
        catch (SpecException e)
        {
            return e;
        }
    }

    static bool CleanFailure(SpecException? e) => e is null || (e.Message.StartsWith("config.json: ", StringComparison.Ordinal) && e.Detail.Length > 0);

    [Property(MaxTest = 400)]
    public bool ByteFlipsFailCleanly(NonNegativeInt seed, NonNegativeInt position, byte value, NonNegativeInt count)
    {
        var bytes = (byte[])Seeds[seed.Get % Seeds.Length].Clone();
        for (int i = 0; i <= count.Get % 4; i++)
            bytes[(position.Get + i * 7919) % bytes.Length] = (byte)(value + i);
        return CleanFailure(ParseAndValidate(bytes));
    }

    [Property(MaxTest = 200)]
    public bool TruncationsFailCleanly(NonNegativeInt seed, NonNegativeInt length)
    {
        var bytes = Seeds[seed.Get % Seeds.Length];
        var cut = bytes.AsSpan(0, length.Get % bytes.Length).ToArray();
        var e = ParseAndValidate(cut);
        return e is not null && CleanFailure(e);
    }

    [Property(MaxTest = 600)]
    public bool WrongValueAtAPathIsReportedAtThatPath(NonNegativeInt seed, NonNegativeInt pick, NonNegativeInt hostile)
    {
        var root = JsonNode.Parse(GoodSeeds[seed.Get % GoodSeeds.Length])!;
        var paths = new List<(JsonNode Parent, string? Key, int Index, string Path)>();
        Collect(root, "", paths);
        if (paths.Count == 0) return true;
        var (parent, key, index, path) = paths[pick.Get % paths.Count];
        var replacement = Hostile[hostile.Get % Hostile.Length]?.DeepClone();
        if (key is not null) parent[key] = replacement; else parent.AsArray()[index] = replacement;
        var e = ParseAndValidate(Encoding.UTF8.GetBytes(root.ToJsonString()));
        // A failure must name the mutated path, something inside it, or (for a validation rule between fields)
        // a path that shares its top-level member.
        bool named = e is null || e.JsonPath.StartsWith(path, StringComparison.Ordinal) || path.StartsWith(e.JsonPath, StringComparison.Ordinal) ||
                     Top(e.JsonPath) == Top(path);
        if (!CleanFailure(e) || !named) throw new Xunit.Sdk.XunitException($"{path} := {replacement?.ToJsonString() ?? "null"} -> {e?.Message} (path {e?.JsonPath})");
        return true;
    }

    static string Top(string path)
    {
        var i = path.IndexOfAny(['.', '[']);
        return i < 0 ? path : path[..i];
    }

    static void Collect(JsonNode node, string path, List<(JsonNode, string?, int, string)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                var p = path.Length == 0 ? k : $"{path}.{k}";
                into.Add((o, k, -1, p));
                if (v is not null) Collect(v, p, into);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                var p = $"{path}[{i}]";
                into.Add((a, null, i, p));
                if (a[i] is { } v) Collect(v, p, into);
            }
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void DeeplyNestedJsonFailsCleanly(int depth)
    {
        var text = "{\"ociVersion\":\"1.0.0\",\"annotations\":{\"a\":" + new string('[', depth) + new string(']', depth) + "}}";
        var e = ParseAndValidate(Encoding.UTF8.GetBytes(text));
        Assert.NotNull(e);
        Assert.True(CleanFailure(e), e!.Message);
    }

    [Fact]
    public void HugeConfigParsesInBoundedTime()
    {
        // ~100 MB: one process.env list of a million entries; must parse (or fail cleanly) without blowing up.
        var sb = new StringBuilder("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"env\":[");
        var entry = "\"K=" + new string('v', 90) + "\"";
        for (int i = 0; i < 1_000_000; i++) { if (i > 0) sb.Append(','); sb.Append(entry); }
        sb.Append("]}}");
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        Assert.True(bytes.Length > 90_000_000);
        var e = ParseAndValidate(bytes);
        Assert.True(CleanFailure(e), e?.Message);
    }
}
