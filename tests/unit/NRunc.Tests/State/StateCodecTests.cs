using System.Text.Json;
using NRunc.Container.State;
using Xunit;

namespace NRunc.Tests.State;

/// <summary>The hand-written codec and the source-generated context agree on the state.json format.</summary>
public class StateCodecTests
{
    static ContainerRecord Sample() => new()
    {
        Id = "c+1", InitPid = 7, InitStartTime = ulong.MaxValue - 1, Bundle = "/b ü", Rootfs = "/b/<rootfs>",
        Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567), Owner = "o\"q",
        Annotations = new() { ["a"] = "1", ["b\n"] = "2" }, CgroupPaths = new() { [""] = "/u", ["cpu"] = "/c" },
        SystemdCgroup = true, Rootless = false, ConfigPath = "/c.json", Extra = new() { ["x"] = "y" },
    };

    static void AssertSame(ContainerRecord a, ContainerRecord b)
    {
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.InitPid, b.InitPid);
        Assert.Equal(a.InitStartTime, b.InitStartTime);
        Assert.Equal(a.Bundle, b.Bundle);
        Assert.Equal(a.Rootfs, b.Rootfs);
        Assert.Equal(a.Created, b.Created);
        Assert.Equal(a.Owner, b.Owner);
        Assert.Equal(a.Annotations, b.Annotations);
        Assert.Equal(a.CgroupPaths, b.CgroupPaths);
        Assert.Equal(a.SystemdCgroup, b.SystemdCgroup);
        Assert.Equal(a.Rootless, b.Rootless);
        Assert.Equal(a.ConfigPath, b.ConfigPath);
        Assert.Equal(a.Extra, b.Extra);
    }

    [Fact]
    public void CodecRoundTrips() => AssertSame(Sample(), StateCodec.Read(StateCodec.Write(Sample())));

    [Fact]
    public void CodecReadsTheContextsOutput() =>
        AssertSame(Sample(), StateCodec.Read(JsonSerializer.SerializeToUtf8Bytes(Sample(), StateJsonContext.Default.ContainerRecord)));

    [Fact]
    public void ContextReadsTheCodecsOutput() =>
        AssertSame(Sample(), JsonSerializer.Deserialize(StateCodec.Write(Sample()), StateJsonContext.Default.ContainerRecord)!);

    [Fact]
    public void UnknownMembersAreSkippedAndNullsTolerated()
    {
        var r = StateCodec.Read("""{"id":"x","future":{"a":[1,2,{"b":null}]},"initPid":3,"annotations":null,"configPath":null}"""u8);
        Assert.Equal("x", r.Id);
        Assert.Equal(3, r.InitPid);
        Assert.Null(r.Annotations);
        Assert.Null(r.ConfigPath);
        Assert.Empty(r.CgroupPaths);
    }

    [Fact]
    public void GarbageThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => StateCodec.Read("[1]"u8));
        Assert.ThrowsAny<JsonException>(() => StateCodec.Read("{\"id\":"u8));
    }

    [Fact]
    public void OciStateMatchesTheSpecContextModuloFormatting()
    {
        var s = Sample().ToOciState(ContainerStatus.Paused);
        using var mine = JsonDocument.Parse(StateCodec.WriteOciState(s, indented: false));
        Assert.Equal("paused", mine.RootElement.GetProperty("status").GetString());
        Assert.Equal("2026-01-02T03:04:05.1234567Z", mine.RootElement.GetProperty("created").GetString());
        Assert.Equal("/b/<rootfs>", mine.RootElement.GetProperty("rootfs").GetString());
        var names = mine.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"], names);
        // The spec project's own serializer reads it back.
        var back = JsonSerializer.Deserialize(StateCodec.WriteOciState(s, indented: true), NRunc.Spec.SpecJsonContext.Default.ContainerState)!;
        Assert.Equal(s.Id, back.Id);
        Assert.Equal(s.Created, back.Created);
    }
}
