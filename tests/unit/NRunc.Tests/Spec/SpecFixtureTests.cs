using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Spec;

public class SpecFixtureTests
{
    public static IEnumerable<object[]> Good => SpecGolden.FixtureNames("good");
    public static IEnumerable<object[]> Bad => SpecGolden.FixtureNames("bad");

    private static byte[] Read(string folder, string name) => File.ReadAllBytes(Path.Combine(SpecGolden.Fixtures, folder, name + ".json"));

    [Theory, MemberData(nameof(Good))]
    public void GoodFixtureLoadsAndRoundTrips(string name)
    {
        var spec = ConfigLoader.Parse(Read("good", name));
        SpecValidator.Validate(spec, requireProcess: false);

        string first = SpecWriter.ToJson(spec);
        var again = ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(first));
        SpecValidator.Validate(again, requireProcess: false);
        Assert.Equal(first, SpecWriter.ToJson(again));
    }

    [Theory, MemberData(nameof(Bad))]
    public void BadFixtureFailsWithGoldenMessage(string name)
    {
        var ex = Assert.Throws<SpecException>(() =>
        {
            var spec = ConfigLoader.Parse(Read("bad", name));
            SpecValidator.Validate(spec, requireProcess: false);
        });
        SpecGolden.AssertMatches(name, ex.Message);
    }

    [Theory, MemberData(nameof(Bad))]
    public void SourceGeneratedPathReportsTheSameParseErrors(string name)
    {
        // ConfigLoader.Deserialize (System.Text.Json + JsonErrors) must describe parse failures
        // exactly like the hand-written reader behind ConfigLoader.Parse.
        var bytes = Read("bad", name);
        string? fast = null;
        try { ConfigLoader.Parse(bytes); } catch (SpecException e) { fast = e.Message; }
        if (fast is null) return; // a validation error, not a parse error
        var ex = Assert.Throws<SpecException>(() => ConfigLoader.Deserialize(bytes, SpecJsonContext.Default.Spec, "config.json"));
        Assert.Equal(fast, ex.Message);
    }

    [Fact]
    public void LoadRequiresProcessForCreate()
    {
        var ex = Assert.Throws<SpecException>(() => ConfigLoader.Load(Path.Combine(SpecGolden.Fixtures, "good", "minimal.json")));
        SpecGolden.AssertMatches("load-no-process", ex.Message);
    }

    [Fact]
    public void LoadAcceptsSpecWithProcess()
    {
        var spec = ConfigLoader.Load(Path.Combine(SpecGolden.Fixtures, "good", "minimal-for-start.json"));
        Assert.Equal(["sh"], spec.Process!.Args!);
        Assert.Equal("rootfs", spec.Root!.Path);
    }

    [Fact]
    public void LoadMissingFileNamesPath()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nrunc-spec-missing-" + Environment.ProcessId);
        var ex = Assert.Throws<SpecException>(() => ConfigLoader.Load(Path.Combine(dir, "config.json")));
        Assert.Equal($"config.json: open {dir}/config.json: no such file or directory", ex.Message);
    }

    [Fact]
    public void FullFixtureKeepsEveryField()
    {
        var spec = ConfigLoader.Parse(Read("good", "linux-full"));
        var l = spec.Linux!;
        Assert.Equal(-1, l.Resources!.Memory!.Limit);
        Assert.Equal(-1, l.Resources.Memory.Swap);
        Assert.Equal(-1, l.Resources.Pids!.Limit);
        Assert.Equal(ulong.MaxValue, spec.Process!.Rlimits![1].Hard);
        Assert.Equal("/run/seccomp-agent.sock", l.Seccomp!.ListenerPath);
        Assert.Equal(38u, l.Seccomp.Syscalls![3].ErrnoRet);
        Assert.Equal(8ul, l.Seccomp.Syscalls[1].Args![1].ValueTwo);
        Assert.Equal("MPOL_INTERLEAVE", l.MemoryPolicy!.Mode);
        Assert.Equal("container_eth1", l.NetDevices!["eth1"].Name);
        Assert.Equal(-3600, l.TimeOffsets!["boottime"].Secs);
        Assert.Equal("LINUX32", l.Personality!.Domain);
        Assert.Equal("IOPRIO_CLASS_BE", spec.Process.IOPriority!.Class);
        Assert.Equal("SCHED_DEADLINE", spec.Process.Scheduler!.Policy);
        Assert.Equal("0-3,7", spec.Process.ExecCpuAffinity!.Final);
        Assert.Equal(100000u, spec.Mounts![^1].UidMappings![0].HostId);
        Assert.Equal(18u, spec.Process.User.Umask);
        Assert.Equal([5u, 6u], spec.Process.User.AdditionalGids!);
        Assert.Equal(80u, spec.Process.ConsoleSize!.Width);
        Assert.True(l.IntelRdt!.EnableMonitoring);
        Assert.Equal(5, spec.Hooks!.Poststop![0].Timeout);
        Assert.Equal("default 100", l.Resources.Unified!["io.weight"]);
        Assert.Equal(10000u, l.Resources.Rdma!["mlx5_1"].HcaObjects);
    }

    [Fact]
    public void UnknownFieldsAreIgnored()
    {
        var spec = ConfigLoader.Parse("""{"ociVersion":"1.3.0","root":{"path":"r","future":1},"vm":{"x":[1,2]},"linux":{"intelRdt":{"enableCMT":true}}}"""u8);
        Assert.Equal("r", spec.Root!.Path);
    }

    [Fact]
    public void OmitsNullsAndGoOmitemptyDefaults()
    {
        var spec = new NRunc.Spec.Spec { OciVersion = "1.3.0", Root = new Root { Path = "rootfs" }, Process = new Process { Cwd = "/", Args = ["sh"] } };
        Assert.Equal("{\n\t\"ociVersion\": \"1.3.0\",\n\t\"process\": {\n\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n\t\t\"cwd\": \"/\"\n\t},\n\t\"root\": {\n\t\t\"path\": \"rootfs\"\n\t}\n}",
            SpecWriter.ToJson(spec));
    }
}
