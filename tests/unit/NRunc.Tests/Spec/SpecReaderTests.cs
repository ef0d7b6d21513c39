using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Spec;

/// <summary>
/// The hand-written reader behind ConfigLoader.Parse must agree with the source-generated
/// SpecJsonContext, and the full fixture must exercise every property of the model.
/// </summary>
public class SpecReaderTests
{
    public static IEnumerable<object[]> Good => SpecGolden.FixtureNames("good");

    [Theory, MemberData(nameof(Good))]
    public void ReaderAgreesWithSourceGeneratedContext(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(SpecGolden.Fixtures, "good", name + ".json"));
        var viaReader = ConfigLoader.Parse(bytes);
        var viaContext = JsonSerializer.Deserialize(bytes, SpecJsonContext.Default.Spec)!;
        string generated = SpecWriter.ToJson(viaContext, SpecJsonContext.Default.Spec);
        Assert.Equal(generated, SpecWriter.ToJson(viaReader));   // reader + hand-written writer
        Assert.Equal(generated, SpecWriter.ToJson(viaContext));  // hand-written writer alone
        Assert.Equal(SpecWriter.ToUtf8(viaContext, indented: false), SpecWriter.ToUtf8(viaContext, SpecJsonContext.Default.Spec, indented: false));
    }

    [Theory, MemberData(nameof(Good))]
    public void ProcessAndResourcesWritersAgreeWithContext(string name)
    {
        var spec = ConfigLoader.Parse(File.ReadAllBytes(Path.Combine(SpecGolden.Fixtures, "good", name + ".json")));
        if (spec.Process is { } p)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, SpecWriter.Compact)) SpecWriter.WriteProcess(w, p);
            Assert.Equal(SpecWriter.ToUtf8(p, SpecJsonContext.Default.Process, indented: false), ms.ToArray());
            Assert.Equal(ms.ToArray(), SpecWriter.ToUtf8(ConfigLoader.ParseProcess(ms.ToArray()), SpecJsonContext.Default.Process, indented: false));
        }
        if (spec.Linux?.Seccomp is { } sc)
        {
            var bytes = SpecWriter.SeccompToUtf8(sc);
            Assert.Equal(SpecWriter.ToUtf8(sc, SpecJsonContext.Default.LinuxSeccomp, indented: false), bytes);
            Assert.Equal(bytes, SpecWriter.SeccompToUtf8(ConfigLoader.ParseSeccomp(bytes)));
        }
        if (spec.Linux?.Resources is { } r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, SpecWriter.Compact)) SpecWriter.WriteResources(w, r);
            Assert.Equal(SpecWriter.ToUtf8(r, SpecJsonContext.Default.LinuxResources, indented: false), ms.ToArray());
            Assert.Equal(ms.ToArray(), SpecWriter.ToUtf8(ConfigLoader.ParseResources(ms.ToArray()), SpecJsonContext.Default.LinuxResources, indented: false));
        }
    }

    [Fact]
    public void FullFixtureCoversEveryModelProperty()
    {
        var model = new SortedSet<string>(StringComparer.Ordinal);
        CollectModel(SpecJsonContext.Default.Spec, "", model);

        var spec = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(SpecGolden.Fixtures, "good", "linux-full.json")), SpecJsonContext.Default.Spec)!;
        using var doc = JsonDocument.Parse(SpecWriter.ToJson(spec));
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        CollectDocument(doc.RootElement, "", SpecJsonContext.Default.Spec, seen);

        model.ExceptWith(seen);
        Assert.True(model.Count == 0, "linux-full.json lacks: " + string.Join(", ", model));
    }

    private static void CollectModel(JsonTypeInfo ti, string prefix, SortedSet<string> into)
    {
        switch (ti.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (var p in ti.Properties)
                {
                    string path = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
                    into.Add(path);
                    CollectModel(ti.Options.GetTypeInfo(p.PropertyType), path, into);
                }
                break;
            case JsonTypeInfoKind.Enumerable:
                CollectModel(ti.Options.GetTypeInfo(ti.ElementType!), prefix + "[]", into);
                break;
            case JsonTypeInfoKind.Dictionary:
                CollectModel(ti.Options.GetTypeInfo(ti.ElementType!), prefix + "{}", into);
                break;
        }
    }

    private static void CollectDocument(JsonElement el, string prefix, JsonTypeInfo ti, SortedSet<string> into)
    {
        switch (ti.Kind)
        {
            case JsonTypeInfoKind.Object when el.ValueKind == JsonValueKind.Object:
                foreach (var prop in el.EnumerateObject())
                {
                    var p = ti.Properties.First(x => x.Name == prop.Name);
                    string path = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
                    into.Add(path);
                    CollectDocument(prop.Value, path, ti.Options.GetTypeInfo(p.PropertyType), into);
                }
                break;
            case JsonTypeInfoKind.Enumerable when el.ValueKind == JsonValueKind.Array:
                foreach (var item in el.EnumerateArray())
                    CollectDocument(item, prefix + "[]", ti.Options.GetTypeInfo(ti.ElementType!), into);
                break;
            case JsonTypeInfoKind.Dictionary when el.ValueKind == JsonValueKind.Object:
                foreach (var prop in el.EnumerateObject())
                    CollectDocument(prop.Value, prefix + "{}", ti.Options.GetTypeInfo(ti.ElementType!), into);
                break;
        }
    }

    [Fact]
    public void NullLeavesZeroValuesLikeGo()
    {
        var spec = ConfigLoader.Parse("""{"ociVersion":"1.3.0","process":{"user":{"uid":null},"cwd":null,"args":["a",null]},"root":null,"linux":{"sysctl":{"a":null}}}"""u8);
        Assert.Equal(0u, spec.Process!.User.Uid);
        Assert.Equal("", spec.Process.Cwd);
        Assert.Equal(["a", ""], spec.Process.Args!);
        Assert.Null(spec.Root);
        Assert.Equal("", spec.Linux!.Sysctl!["a"]);
    }

    [Fact]
    public void LastDuplicateWins()
        => Assert.Equal("b", ConfigLoader.Parse("""{"ociVersion":"1.3.0","hostname":"a","hostname":"b"}"""u8).Hostname);

    [Fact]
    public void ProcessAndResourcesParsers()
    {
        var p = ConfigLoader.ParseProcess("""{"args":["sh"],"cwd":"/","user":{"uid":1,"gid":2},"terminal":true}"""u8);
        Assert.True(p.Terminal);
        Assert.Equal(2u, p.User.Gid);
        var r = ConfigLoader.ParseResources("""{"memory":{"limit":-1,"swap":-1},"cpu":{"quota":-1,"cpus":"0"},"pids":{"limit":100}}"""u8);
        Assert.Equal(-1, r.Memory!.Swap);
        Assert.Equal(100, r.Pids!.Limit);
        var ex = Assert.Throws<SpecException>(() => ConfigLoader.ParseResources("""{"memory":{"limit":"1g"}}"""u8));
        Assert.Equal("resources.json: memory.limit: expected an integer (int64), got \"1g\"", ex.Message);
    }

    [Theory]
    [InlineData("{\"ociVersion\":\"1\"} x", "config.json: invalid JSON at line 1, column 20: unexpected character 'x'")]
    [InlineData("{\"ociVersion\":1.5}", "config.json: ociVersion: expected a string, got 1.5")]
    [InlineData("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1.0}]}}", "config.json: process.rlimits[0].hard: expected an unsigned integer (uint64), got 1.0")]
    [InlineData("{\"process\":{\"user\":{\"additionalGids\":[1,4294967296]}}}", "config.json: process.user.additionalGids[1]: expected an unsigned integer (uint32), got 4294967296")]
    [InlineData("{\"linux\":{\"timeOffsets\":{\"boottime\":{\"secs\":\"1\"}}}}", "config.json: linux.timeOffsets.boottime.secs: expected an integer (int64), got \"1\"")]
    [InlineData("{\"linux\":{\"sysctl\":{\"net.core.somaxconn\":[1]}}}", "config.json: linux.sysctl[\"net.core.somaxconn\"]: expected a string, got an array")]
    public void TypeAndSyntaxErrors(string json, string expected)
    {
        var ex = Assert.Throws<SpecException>(() => ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Equal(expected, ex.Message);
    }
}
