using System.Diagnostics;
using NRunc.Seccomp;
using NRunc.Spec;
using Xunit;
using Xunit.Abstractions;

namespace NRunc.Tests.Seccomp;

/// <summary>Compiled programs reused from a cache directory, and programs rebuilt from their BPF bytes.</summary>
public class SeccompCacheTests(ITestOutputHelper output)
{
    static string TempDir() => Path.Combine(Path.GetTempPath(), "nrunc-seccomp-cache-" + Guid.NewGuid().ToString("N"));

    static LinuxSeccomp DenyMkdir() => new()
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Flags = [],
        Syscalls = [new() { Names = ["mkdir", "mkdirat", "not_a_syscall"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 }],
    };

    [Fact]
    public void MissThenHitGiveTheSameProgram()
    {
        var dir = TempDir();
        try
        {
            var profile = DockerProfile.Load();
            var sw = Stopwatch.StartNew();
            using var miss = SeccompProgram.Prepare(profile, dir);
            double missMs = sw.Elapsed.TotalMilliseconds;
            var files = Directory.GetFiles(dir, "*.bpf");
            Assert.Single(files);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

            sw.Restart();
            using var hit = SeccompProgram.Prepare(DockerProfile.Load(), dir);
            double hitMs = sw.Elapsed.TotalMilliseconds;
            Assert.Equal(miss.ExportBpf(), hit.ExportBpf());
            Assert.Equal(miss.KernelFlags, hit.KernelFlags);
            Assert.Equal(miss.IgnoredSyscalls, hit.IgnoredSyscalls);
            output.WriteLine($"docker default profile: Prepare with cache miss {missMs:F2} ms, hit {hitMs:F2} ms");

            // A different section is a different entry.
            profile.DefaultErrnoRet = 38;
            using var other = SeccompProgram.Prepare(profile, dir);
            Assert.Equal(2, Directory.GetFiles(dir, "*.bpf").Length);
            Assert.NotEqual(miss.ExportBpf(), other.ExportBpf());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void CachedProgramLoadsAndFilters()
    {
        var dir = TempDir();
        var scratch = TempDir();
        Directory.CreateDirectory(scratch);
        try
        {
            SeccompProgram.Prepare(DenyMkdir(), dir).Dispose();
            using var hit = SeccompProgram.Prepare(DenyMkdir(), dir);
            Assert.Equal(["not_a_syscall"], hit.IgnoredSyscalls);
            Assert.Equal(13, FilteredThread.Run(() => { hit.Load(); return SeccompTestNative.Mkdir(Path.Combine(scratch, "x")); }));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.Delete(scratch, true);
        }
    }

    [Fact]
    public void UntrustedOrDamagedEntriesAreRecompiled()
    {
        var dir = TempDir();
        try
        {
            using var good = SeccompProgram.Prepare(DenyMkdir(), dir);
            var file = Directory.GetFiles(dir, "*.bpf").Single();

            // Damaged: wrong length. The entry is rewritten from a fresh compile.
            File.WriteAllBytes(file, "NRSECCOMP2\n\0\0\0\0\n1234567"u8.ToArray());
            using (var p = SeccompProgram.Prepare(DenyMkdir(), dir)) Assert.Equal(good.ExportBpf(), p.ExportBpf());

            // Well-formed with the right key, but a different program (RET ALLOW): a private cache is trusted as is,
            // one that others may write to is not.
            var data = File.ReadAllBytes(file);
            byte[] allow = [6, 0, 0, 0, 0, 0, 0xff, 0x7f];
            File.WriteAllBytes(file, [.. data[..^good.ExportBpf().Length], .. allow]);
            using (var p = SeccompProgram.Prepare(DenyMkdir(), dir)) Assert.Equal(allow, p.ExportBpf());
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
            using (var p = SeccompProgram.Prepare(DenyMkdir(), dir)) Assert.Equal(good.ExportBpf(), p.ExportBpf());
            File.SetUnixFileMode(dir, (UnixFileMode)0x1c0);

            // Same file name, different key material (a hash collision): a miss, not the other profile's filter.
            var other = DenyMkdir();
            other.Syscalls![0].ErrnoRet = 1;
            using var otherProg = SeccompProgram.Prepare(other);
            File.Copy(file, file + ".keep");
            using (var p = SeccompProgram.Prepare(other, dir)) Assert.Equal(otherProg.ExportBpf(), p.ExportBpf());
            var collide = Directory.GetFiles(dir, "*.bpf").Single(f => f != file);
            File.Copy(file + ".keep", collide, overwrite: true);   // other's name now holds DenyMkdir's entry
            using (var p = SeccompProgram.Prepare(other, dir)) Assert.Equal(otherProg.ExportBpf(), p.ExportBpf());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FromBpfRebuildsALoadableProgram()
    {
        var scratch = TempDir();
        Directory.CreateDirectory(scratch);
        try
        {
            byte[] bpf;
            uint flags;
            using (var p = SeccompProgram.Prepare(DenyMkdir())) { bpf = p.ExportBpf(); flags = p.KernelFlags; }
            using var q = SeccompProgram.FromBpf(bpf, flags, usesNotify: false);
            Assert.Equal(bpf, q.ExportBpf());
            Assert.Equal(13, FilteredThread.Run(() => { q.Load(); return SeccompTestNative.Mkdir(Path.Combine(scratch, "x")); }));
            Assert.Throws<SeccompException>(() => SeccompProgram.FromBpf(new byte[12], 0, false));
            Assert.Throws<InvalidOperationException>(() => q.LoadWithLibseccomp());
        }
        finally
        {
            Directory.Delete(scratch, true);
        }
    }
}
