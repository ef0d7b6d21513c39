using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Spec;

public class ContainerStateTests
{
    [Fact]
    public void StateWritesRuncKeyOrderAndRfc3339Nano()
    {
        var st = new ContainerState
        {
            Id = "c1", Pid = 42, Status = "running", Bundle = "/b", Rootfs = "/b/rootfs",
            Created = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234560),
            Owner = "",
        };
        string json = System.Text.Encoding.UTF8.GetString(SpecWriter.StateToUtf8(st, indented: false));
        Assert.Equal(SpecWriter.ToJson(st, SpecJsonContext.Default.ContainerState, indented: false), json);
        Assert.Equal("{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"pid\":42,\"status\":\"running\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":\"2024-01-02T03:04:05.123456Z\",\"owner\":\"\"}", json);

        var back = ConfigLoader.ParseState(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.Equal(st.Created, back.Created);
        Assert.Equal(42, back.Pid);
        var viaContext = ConfigLoader.Deserialize(System.Text.Encoding.UTF8.GetBytes(json), SpecJsonContext.Default.ContainerState, "state.json");
        Assert.Equal(st.Created, viaContext.Created);
    }

    [Fact]
    public void StateIndentedLikeRuncState()
    {
        var st = new ContainerState
        {
            Id = "c1", Pid = 0, Status = "stopped", Bundle = "/b", Rootfs = "/b/rootfs",
            Created = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), Owner = "root",
            Annotations = new() { ["a"] = "b" },
        };
        Assert.Equal("{\n  \"ociVersion\": \"1.3.0\",\n  \"id\": \"c1\",\n  \"pid\": 0,\n  \"status\": \"stopped\",\n  \"bundle\": \"/b\",\n  \"rootfs\": \"/b/rootfs\",\n  \"created\": \"2024-01-02T03:04:05Z\",\n  \"annotations\": {\n    \"a\": \"b\"\n  },\n  \"owner\": \"root\"\n}",
            System.Text.Encoding.UTF8.GetString(SpecWriter.StateToUtf8(st)));
    }

    [Fact]
    public void EmptyStateListIsArray()
    {
        using var ms = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(ms, SpecWriter.Compact)) SpecWriter.WriteStates(w, []);
        Assert.Equal("[]", System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }

    [Theory]
    [InlineData(0L, "2024-01-02T03:04:05Z")]
    [InlineData(1000000L, "2024-01-02T03:04:05.1Z")]
    [InlineData(1L, "2024-01-02T03:04:05.0000001Z")]
    public void Rfc3339NanoTrimsZeros(long ticks, string expected)
        => Assert.Equal(expected, Rfc3339NanoConverter.Format(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(ticks)));

    [Fact]
    public void ReadsGoNanosecondTimestamps()
    {
        var st = ConfigLoader.ParseState("""{"ociVersion":"1.0.2","id":"x","pid":1,"status":"created","bundle":"/b","rootfs":"/r","created":"2023-05-06T07:08:09.123456789Z","owner":""}"""u8);
        Assert.Equal(new DateTime(2023, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567), st.Created);
    }

    [Fact]
    public void FeaturesRoundTrip()
    {
        var f = new Features
        {
            OciVersionMin = "1.0.0", OciVersionMax = "1.3.0",
            Hooks = [.. SpecNames.HookNames],
            Linux = new LinuxFeatures
            {
                Namespaces = [.. NamespaceTypes.Names],
                Capabilities = [.. Capabilities.Names],
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = true },
                Seccomp = new SeccompFeatures { Enabled = true, Actions = [.. SpecNames.SeccompActions] },
                MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = true } },
                MemoryPolicy = new MemoryPolicyFeatures { Modes = [.. SpecNames.MemoryPolicyModes] },
            },
        };
        string json = SpecWriter.ToJson(f, SpecJsonContext.Default.Features);
        var back = ConfigLoader.Deserialize(System.Text.Encoding.UTF8.GetBytes(json), SpecJsonContext.Default.Features, "features.json");
        Assert.Equal(json, SpecWriter.ToJson(back, SpecJsonContext.Default.Features));
        Assert.StartsWith("{\n\t\"ociVersionMin\": \"1.0.0\",\n\t\"ociVersionMax\": \"1.3.0\",\n\t\"hooks\": [", json);
    }
}

public class OciStateTests
{
    [Fact]
    public void HookStateMatchesGoSpecState()
    {
        var s = new OciState { Id = "c", Status = "created", Pid = 7, Bundle = "/b", Annotations = new() { ["k"] = "v" } };
        var bytes = SpecWriter.OciStateToUtf8(s);
        Assert.Equal("{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"created\",\"pid\":7,\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}}", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(SpecWriter.ToUtf8(s, SpecJsonContext.Default.OciState, indented: false), bytes);
        s.Pid = 0; // stopped: pid omitted like Go's omitempty
        Assert.DoesNotContain("pid", System.Text.Encoding.UTF8.GetString(SpecWriter.OciStateToUtf8(s)));
    }

    [Fact]
    public void ContainerProcessStateForSeccompListener()
    {
        var s = new ContainerProcessState { Fds = ["seccompFd"], Pid = 9, Metadata = "m", State = new OciState { Id = "c", Status = "creating", Pid = 9, Bundle = "/b" } };
        var bytes = SpecWriter.ContainerProcessStateToUtf8(s);
        Assert.Equal("{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":9,\"metadata\":\"m\",\"state\":{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"creating\",\"pid\":9,\"bundle\":\"/b\"}}", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(SpecWriter.ToUtf8(s, SpecJsonContext.Default.ContainerProcessState, indented: false), bytes);
    }
}
