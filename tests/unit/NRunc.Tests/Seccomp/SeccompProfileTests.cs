using NRunc.Seccomp;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Seccomp;

/// <summary>Docker's default profile through Prepare and ExportBpf.</summary>
public class SeccompProfileTests
{
    [Fact]
    public void DockerDefaultProfileCompilesDeterministically()
    {
        var profile = DockerProfile.Load();
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], profile.Architectures);
        using var a = SeccompProgram.Prepare(profile);
        using var b = SeccompProgram.Prepare(DockerProfile.Load());
        var bpf = a.ExportBpf();
        Assert.Equal(bpf, b.ExportBpf());
        Assert.Equal(0, bpf.Length % 8);
        Assert.Equal(bpf.Length / 8, a.InstructionCount);
        Assert.InRange(a.InstructionCount, 200, 4096);
        Assert.False(a.UsesNotify);
        // The first instruction loads seccomp_data.arch (offset 4): the program checks the architecture first.
        Assert.Equal(new byte[] { 0x20, 0, 0, 0, 4, 0, 0, 0 }, bpf[..8]);
        // Syscalls newer than libseccomp 2.5.4 are skipped, not fatal; well-known ones are not.
        Assert.DoesNotContain("read", a.IgnoredSyscalls);
        Assert.DoesNotContain("clone", a.IgnoredSyscalls);
    }

    [Fact]
    public void DockerProfileThroughTheSpecLoader()
    {
        // Docker's file read as a plain OCI linux.seccomp (archMap and includes are not OCI fields and are ignored):
        // every rule of every arch, which libseccomp must still compile for the native arch.
        var spec = ConfigLoader.Deserialize(DockerProfile.Bytes(), SpecJsonContext.Default.LinuxSeccomp, "moby-default-seccomp.json");
        Assert.Equal("SCMP_ACT_ERRNO", spec.DefaultAction);
        Assert.Equal(1u, spec.DefaultErrnoRet);
        using var p = SeccompProgram.Prepare(spec);
        Assert.True(p.InstructionCount > 200);
        using var q = SeccompProgram.Prepare(spec);
        Assert.Equal(p.ExportBpf(), q.ExportBpf());
    }

    [Fact]
    public void OptionsChangeTheProgram()
    {
        var baseSpec = DockerProfile.Load();
        using var a = SeccompProgram.Prepare(baseSpec);
        baseSpec.DefaultErrnoRet = 38;
        using var b = SeccompProgram.Prepare(baseSpec);
        Assert.NotEqual(a.ExportBpf(), b.ExportBpf());
    }

    [Fact]
    public void LibraryFacts()
    {
        Assert.StartsWith("2.", SeccompNames.LibseccompVersion);
        var archs = SeccompNames.SupportedArchitectures();
        Assert.Contains("SCMP_ARCH_X86_64", archs);
        Assert.Contains("SCMP_ARCH_AARCH64", archs);
        // Every flag the spec defines is known to kernels >= 6.0 (WAIT_KILLABLE_RECV is the newest).
        if (Environment.OSVersion.Version.Major >= 6)
            Assert.Equal(SeccompNames.Flags, SeccompNames.SupportedFlags());
    }

    [Fact]
    public void DisposeTwiceAndUseAfterDispose()
    {
        var p = SeccompProgram.Prepare(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new() { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" }] });
        p.Dispose();
        p.Dispose();
        Assert.Throws<ObjectDisposedException>(() => p.ExportBpf());
        Assert.Throws<ObjectDisposedException>(() => p.Load());
    }
}
