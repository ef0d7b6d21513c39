using NRunc.Shim.Service;
using Xunit;

namespace NRunc.Shim.Tests;

public class ShimPartsTests
{
    [Fact]
    public void SocketAddressIsSha256OfCleanedAddressNamespaceId()
    {
        // printf %s /run/containerd/containerd.sock/default/abc | sha256sum
        const string want = "unix:///run/containerd/s/8cb244a719603fe00870d5ce1d8e1f1db43a654cb993d107df1f1ae23ddffa59";
        Assert.Equal(want, SocketAddress.For("/run/containerd/containerd.sock", "default", "abc"));
        Assert.Equal(want, SocketAddress.For("/run/containerd//containerd.sock/", "default", "abc"));
    }

    [Theory]
    [InlineData("/a//b/./c/", "/a/b/c")]
    [InlineData("/a/b/../c", "/a/c")]
    [InlineData("/../a", "/a")]
    [InlineData("a/../..", "..")]
    [InlineData("", ".")]
    public void CleanPathMatchesGo(string input, string want) => Assert.Equal(want, SocketAddress.CleanPath(input));

    [Fact]
    public void FlagsParseLikeGo()
    {
        var f = ShimFlags.Parse(["-namespace", "ns", "--id=c1", "-address", "/s.sock", "-publish-binary", "/bin/ctrd", "-debug", "start"]);
        Assert.Equal(("ns", "c1", "/s.sock", "/bin/ctrd", true, "start"), (f.Namespace, f.Id, f.Address, f.PublishBinary, f.Debug, f.Action));
        Assert.Throws<ArgumentException>(() => ShimFlags.Parse(["-bogus", "x"]));
        Assert.Throws<ArgumentException>(() => ShimFlags.Parse(["-id"]));
    }

    [Fact]
    public void MountOptionsSplitIntoFlagsAndData()
    {
        var (flags, data) = RootfsMounts.ParseOptions(["ro", "rbind", "lowerdir=/a:/b", "index=off"]);
        Assert.Equal(NRunc.Native.Libc.MS_RDONLY | NRunc.Native.Libc.MS_BIND | NRunc.Native.Libc.MS_REC, flags);
        Assert.Equal("lowerdir=/a:/b,index=off", data);
    }

    [Fact]
    public void RuntimeConfigFileSetsBinaryRootAndSystemd()
    {
        var o = RuntimeOptions.ApplyToml(RuntimeOptions.Default("ns"), "# c\n[x]\nBinaryName = \"/usr/sbin/runc\"\nRoot = '/r'\nSystemdCgroup = true\n", "ns");
        Assert.Equal(("/usr/sbin/runc", "/r/ns", true), (o.BinaryName, o.Root, o.SystemdCgroup));
    }

    [Fact]
    public void CgroupDirsFromProcCgroupThroughTheMounts()
    {
        var proc = NRunc.Cgroups.Common.CgroupMounts.ParseProcCgroup("12:pids:/default/c1\n4:cpu,cpuacct:/default/c1\n1:name=systemd:/x\n0::/\n");
        var mounts = NRunc.Cgroups.Common.CgroupMounts.ParseV1(
            "30 25 0:26 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n" +
            "31 25 0:27 /default /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n");
        var dirs = NRunc.Cgroups.ProcessCgroups.V1Paths(proc, mounts);
        Assert.Equal("/sys/fs/cgroup/pids/default/c1", dirs["pids"]);
        // a mount that shows /default of its hierarchy
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/c1", dirs["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/c1", dirs["cpu"]);
        Assert.False(dirs.ContainsKey("memory"));
        Assert.False(dirs.ContainsKey(""));
    }

    [Fact]
    public void SandboxAnnotationGroupsContainers()
    {
        var f = Path.GetTempFileName();
        File.WriteAllText(f, """{"annotations":{"io.kubernetes.cri.sandbox-id":"pod1"}}""");
        Assert.Equal("pod1", StartCommand.GroupOf(f));
        File.WriteAllText(f, """{"annotations":{}}""");
        Assert.Null(StartCommand.GroupOf(f));
        File.Delete(f);
    }
}
