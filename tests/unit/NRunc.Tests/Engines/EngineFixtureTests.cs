using NRunc.Seccomp;
using NRunc.Spec;
using NRunc.Tests.Spec;
using Xunit;

namespace NRunc.Tests.Engines;

/// <summary>
/// The config.json files that Docker 20.10, containerd 1.6 (ctr) and Podman 4.3 generate, captured by
/// tests/engines (spec-fixtures/engines): each loads through the create path, validates, round-trips, and its
/// seccomp section compiles.
/// </summary>
public class EngineFixtureTests
{
    public static IEnumerable<object[]> Fixtures => SpecGolden.FixtureNames("engines");

    static string PathOf(string name) => System.IO.Path.Combine(SpecGolden.Fixtures, "engines", name + ".json");

    static NRunc.Spec.Spec Load(string name) => ConfigLoader.Load(PathOf(name));

    [Theory, MemberData(nameof(Fixtures))]
    public void LoadsValidatesAndRoundTrips(string name)
    {
        var spec = Load(name);
        Assert.NotNull(spec.Process);
        string first = SpecWriter.ToJson(spec);
        var again = ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(first));
        SpecValidator.Validate(again, requireProcess: true);
        Assert.Equal(first, SpecWriter.ToJson(again));
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void SeccompSectionCompiles(string name)
    {
        var seccomp = Load(name).Linux?.Seccomp;
        if (seccomp is null)
        {
            // only these runs have no filter: unconfined, privileged, and ctr without --seccomp
            Assert.True(name.EndsWith("-unconfined", StringComparison.Ordinal) || name.EndsWith("-privileged", StringComparison.Ordinal) || name.StartsWith("ctr-", StringComparison.Ordinal), name);
            return;
        }
        Assert.Equal("SCMP_ACT_ERRNO", seccomp.DefaultAction);
        using var program = SeccompProgram.Prepare(seccomp);
        Assert.InRange(program.InstructionCount, 100, 4096);
        Assert.False(program.UsesNotify);
        Assert.DoesNotContain("read", program.IgnoredSyscalls);
        using var again = SeccompProgram.Prepare(Load(name).Linux!.Seccomp!);
        Assert.Equal(program.ExportBpf(), again.ExportBpf());
    }

    [Fact]
    public void EveryEngineAndRunKindIsCaptured()
    {
        string[] expected =
        [
            "ctr-default", "ctr-privileged", "ctr-resources", "ctr-seccomp", "ctr-tty",
            "docker-default", "docker-privileged", "docker-resources", "docker-tty", "docker-unconfined",
            "podman-default", "podman-privileged", "podman-resources", "podman-tty", "podman-unconfined",
        ];
        Assert.Equal(expected, Fixtures.Select(f => (string)f[0]).ToArray());
    }

    [Theory]
    [InlineData("docker"), InlineData("podman"), InlineData("ctr")]
    public void RunKindsCarryWhatTheEngineWasAskedFor(string engine)
    {
        Assert.True(Load(engine + "-tty").Process!.Terminal);
        Assert.False(Load(engine + "-default").Process!.Terminal == true);
        var privileged = Load(engine + "-privileged");
        Assert.Null(privileged.Linux!.Seccomp);
        Assert.True(privileged.Process!.Capabilities!.Bounding!.Count > 30);
        var resources = Load(engine + "-resources").Linux!.Resources!;
        Assert.Equal(67108864L, resources.Memory!.Limit);
        Assert.Equal(50000L, resources.Cpu!.Quota);
    }
}
