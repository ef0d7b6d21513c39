using NRunc.Container.Rootfs;
using NRunc.Native;
using Xunit;
using static NRunc.Native.Libc;

namespace NRunc.Tests.Rootfs;

/// <summary>Path resolution inside a root on a real filesystem (no mounts needed, so it runs in-process).</summary>
public sealed class InRootTests : IDisposable
{
    readonly string _root;
    readonly string _outside;

    public InRootTests()
    {
        var t = Path.Combine(Path.GetTempPath(), "nrunc-inroot-" + Guid.NewGuid().ToString("N"));
        _root = Path.Combine(t, "rootfs");
        _outside = Path.Combine(t, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Directory.CreateDirectory(_outside);
        File.CreateSymbolicLink(Path.Combine(_root, "hostetc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../../..");
        File.CreateSymbolicLink(Path.Combine(_root, "etc", "resolv.conf"), "../run/x/resolv.conf");
        File.CreateSymbolicLink(Path.Combine(_root, "evil"), _outside + "/pwn");
        File.CreateSymbolicLink(Path.Combine(_root, "outsidedir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), "loop1");
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_root)!, true);

    Fd Root() => SpecMountsHost(_root);

    static Fd SpecMountsHost(string path) => SpecMounts.OpenHost(path, O_PATH | O_DIRECTORY);

    [Fact]
    public void AbsoluteSymlinkStaysInside()
    {
        using var root = Root();
        using (InRoot.OpenOrCreate(root.Value, "/hostetc/nrunc-probe", CreateKind.File)) { }
        Assert.True(File.Exists(Path.Combine(_root, "etc", "nrunc-probe")));
        Assert.False(File.Exists("/etc/nrunc-probe"));
    }

    [Fact]
    public void DotDotSymlinkStaysInside()
    {
        using var root = Root();
        using (InRoot.OpenOrCreate(root.Value, "/up/a/b", CreateKind.Directory)) { }
        Assert.True(Directory.Exists(Path.Combine(_root, "a", "b")));
        using (InRoot.OpenOrCreate(root.Value, "../../../../c", CreateKind.Directory)) { }
        Assert.True(Directory.Exists(Path.Combine(_root, "c")));
    }

    [Fact]
    public void DanglingSymlinkIsCreatedInside()
    {
        using var root = Root();
        using (InRoot.OpenOrCreate(root.Value, "/etc/resolv.conf", CreateKind.File)) { }
        Assert.True(File.Exists(Path.Combine(_root, "run", "x", "resolv.conf")));
    }

    [Fact]
    public void DanglingAbsoluteSymlinkToHostPathIsCreatedInside()
    {
        using var root = Root();
        using (InRoot.OpenOrCreate(root.Value, "/evil", CreateKind.File)) { }
        Assert.False(File.Exists(Path.Combine(_outside, "pwn")));
        Assert.True(File.Exists(_root + _outside + "/pwn"));
        using (InRoot.OpenOrCreate(root.Value, "/outsidedir/sub", CreateKind.Directory)) { }
        Assert.False(Directory.Exists(Path.Combine(_outside, "sub")));
        Assert.True(Directory.Exists(_root + _outside + "/sub"));
    }

    [Fact]
    public void ExistingTargetIsOpenedNotRecreated()
    {
        using var root = Root();
        File.WriteAllText(Path.Combine(_root, "etc", "hosts"), "x");
        using var fd = InRoot.OpenOrCreate(root.Value, "/etc/hosts", CreateKind.File);
        Assert.Equal("x", File.ReadAllText(Path.Combine(_root, "etc", "hosts")));
        var st = InRoot.Stat(fd.Value, "/etc/hosts");
        Assert.Equal(S_IFREG, st.stx_mode & S_IFMT);
    }

    [Fact]
    public void EnsureDirectoryForCwdStaysInside()
    {
        var c = new RootfsContext { Spec = new NRunc.Spec.Spec(), RootfsPath = _root };
        RootfsSetup.EnsureDirectory(c, "/up/work/dir");
        RootfsSetup.EnsureDirectory(c, "/outsidedir/cwd");
        Assert.True(Directory.Exists(Path.Combine(_root, "work", "dir")));
        Assert.False(Directory.Exists(Path.Combine(_outside, "cwd")));
    }

    [Fact]
    public void MissingWithoutCreateFails()
    {
        using var root = Root();
        Assert.True(InRoot.TryOpen(root.Value, "/nope", O_PATH, out var errno) < 0);
        Assert.Equal(Errno.ENOENT, errno);
        var e = Assert.Throws<NativeException>(() => InRoot.OpenOrCreate(root.Value, "/nope", CreateKind.None));
        Assert.Equal(Errno.ENOENT, e.Errno);
    }

    [Fact]
    public void SymlinkLoopFails()
    {
        using var root = Root();
        var e = Assert.Throws<NativeException>(() => InRoot.OpenOrCreate(root.Value, "/loop1/x", CreateKind.Directory));
        Assert.Equal(Errno.ELOOP, e.Errno);
    }

    [Fact]
    public void MagicLinksAreRefused()
    {
        using var root = SpecMountsHost("/");
        // /proc/self/root is a magic link: with RESOLVE_NO_MAGICLINKS it must not be crossed.
        Assert.True(InRoot.TryOpen(root.Value, "/proc/self/root/etc", O_PATH, out var errno) < 0);
        Assert.Equal(Errno.ELOOP, errno);
    }

    [Fact]
    public void NullDeviceCheck()
    {
        using var root = SpecMountsHost("/");
        using var devNull = MaskedPaths.OpenDevNull(root);
        Assert.True(devNull.IsValid);
        using var zero = InRoot.Open(root.Value, "/dev/zero");
        Assert.False(MaskedPaths.IsNullDevice(InRoot.Stat(zero.Value, "/dev/zero")));
    }
}
