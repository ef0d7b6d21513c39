using NRunc.Container;
using NRunc.Container.Rootfs;
using NRunc.Spec;
using Xunit;
using static NRunc.Native.Libc;

namespace NRunc.Tests.Rootfs;

public class RootfsLogicTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("//a/./b/../c/", "/a/c")]
    [InlineData("../../etc", "/etc")]
    [InlineData("/a/../../..", "/")]
    [InlineData("dev/shm", "/dev/shm")]
    public void Clean(string input, string expected) => Assert.Equal(expected, InRoot.Clean(input));

    [Fact]
    public void Split()
    {
        Assert.Equal(("/", "dev"), InRoot.Split("/dev"));
        Assert.Equal(("/dev", "null"), InRoot.Split("/dev/null"));
        Assert.Equal(("/", ""), InRoot.Split("/"));
    }

    [Theory]
    [InlineData("/proc", "proc", false, true)]
    [InlineData("/proc", "bind", true, false)]
    [InlineData("/proc", "tmpfs", false, false)]
    [InlineData("/proc/self", "bind", true, false)]
    [InlineData("/proc/sys/kernel", "tmpfs", false, false)]
    [InlineData("/proc/cpuinfo", "bind", true, true)]
    [InlineData("/proc/sys/kernel/ns_last_pid", "bind", true, true)]
    [InlineData("/proc/bus", "proc", false, true)]
    [InlineData("/procfoo", "bind", true, true)]
    [InlineData("/sys", "sysfs", false, true)]
    public void ProcDestinations(string dest, string type, bool bind, bool allowed)
    {
        if (allowed) SpecMounts.CheckProcDestination(dest, type, bind);
        else Assert.Throws<ContainerException>(() => SpecMounts.CheckProcDestination(dest, type, bind));
    }

    [Fact]
    public void DefaultDevicesAndOverrides()
    {
        var plan = Devices.Plan(null);
        Assert.Equal(["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"], plan.Select(n => n.Path));
        Assert.All(plan, n => Assert.Equal(0x1b6u, n.Mode));
        Assert.Contains(plan, n => n.Path == "/dev/tty" && n.Major == 5 && n.Minor == 0);

        var spec = new List<LinuxDevice>
        {
            new() { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = 0x180, Uid = 7, Gid = 8 },
            new() { Path = "/dev/sda", Type = "b", Major = 8, Minor = 0 },
            new() { Path = "/dev/fifo", Type = "p" },
        };
        plan = Devices.Plan(spec);
        Assert.Equal(8, plan.Count);
        var n = plan.Single(x => x.Path == "/dev/null");
        Assert.Equal((0x180u, 7u, 8u), (n.Mode, n.Uid, n.Gid));
        Assert.Equal(S_IFBLK, Devices.TypeBits('b'));
        Assert.Equal(S_IFIFO, Devices.TypeBits('p'));
        Assert.Equal(S_IFCHR, Devices.TypeBits('u'));
        Assert.Throws<ContainerException>(() => Devices.Plan([new LinuxDevice { Path = "/dev/x", Type = "q" }]));
    }

    [Fact]
    public void Makedev()
    {
        Assert.Equal(0x103UL, NRunc.Native.Libc.Makedev(1, 3));
        Assert.Equal(0x10301UL, NRunc.Native.Libc.Makedev(259, 1));
        Assert.Equal(0x100100UL, NRunc.Native.Libc.Makedev(1, 256));
    }

    const string MountinfoShared =
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n" +
        "30 22 0:26 / /tmp rw shared:5 - tmpfs tmpfs rw\n" +
        "31 30 0:27 / /tmp/x rw master:3 - tmpfs tmpfs rw\n";

    [Fact]
    public void ParentMountOfRootfs()
    {
        Assert.Equal(("/tmp", true), RootfsSetup.ParentMount(MountinfoShared, "/tmp/bundle/rootfs"));
        Assert.Equal(("/tmp/x", false), RootfsSetup.ParentMount(MountinfoShared, "/tmp/x/rootfs"));
        Assert.Equal(("/", true), RootfsSetup.ParentMount(MountinfoShared, "/var/lib/rootfs"));
        Assert.Equal(("/", true), RootfsSetup.ParentMount(MountinfoShared, "/tmpfoo/rootfs"));
    }

    [Fact]
    public void DevSetupIsSkippedForABindMountedDev()
    {
        var s = new NRunc.Spec.Spec { Mounts = [new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs" }] };
        Assert.True(RootfsSetup.NeedsDevSetup(s));
        s.Mounts = [new Mount { Destination = "/dev/", Type = "none", Source = "/dev", Options = ["rbind"] }];
        Assert.False(RootfsSetup.NeedsDevSetup(s));
        s.Mounts = [new Mount { Destination = "/dev", Type = "bind", Source = "/dev" }];
        Assert.False(RootfsSetup.NeedsDevSetup(s));
    }

    [Fact]
    public void RootPropagation()
    {
        var s = new NRunc.Spec.Spec { Linux = new Linux() };
        Assert.Null(RootfsSetup.RootPropagation(s));
        s.Linux.RootfsPropagation = "rshared";
        Assert.Equal(MS_SHARED | MS_REC, RootfsSetup.RootPropagation(s));
        s.Linux.RootfsPropagation = "bogus";
        var e = Assert.Throws<ContainerException>(() => RootfsSetup.RootPropagation(s));
        Assert.Contains("linux.rootfsPropagation", e.Message);
    }

    [Fact]
    public void CgroupHierarchies()
    {
        const string mi =
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n" +
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n" +
            "90 80 0:32 /c1 /tmp/r/sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n";
        var h = CgroupFsMounts.ParseHierarchies(mi);
        Assert.Equal(["cpu,cpuacct", "memory", "systemd"], h.Select(x => x.Name));
        Assert.Equal(["cpu", "cpuacct"], h[0].Controllers);
        Assert.Equal(["name=systemd"], h[2].Controllers);
    }

    [Fact]
    public void UidMapText()
    {
        var t = IdMappedMounts.Format([new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }, new LinuxIdMapping { ContainerId = 1, HostId = 100000, Size = 65536 }]);
        Assert.Equal("0 1000 1\n1 100000 65536\n", t);
    }
}
