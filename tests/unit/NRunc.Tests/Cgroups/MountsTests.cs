using NRunc.Cgroups.Common;
using Xunit;

namespace NRunc.Tests.Cgroups;

public class MountsTests
{
    // This development machine: v1 hybrid, cgroup2 at /sys/fs/cgroup/unified.
    internal const string HostMountinfo = """
        23 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    internal const string HostProcCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/ef7be1bad54bd6376db7786f7174dbe4
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    [Fact]
    public void ParseV1_finds_each_controller_and_ignores_cgroup2()
    {
        var m = CgroupMounts.ParseV1(HostMountinfo);
        Assert.Equal(["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids"], m.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/sys/fs/cgroup/memory", m["memory"].Mountpoint);
        Assert.Equal("/", m["memory"].Root);
    }

    [Fact]
    public void ParseV1_comounted_controllers_share_a_mount()
    {
        var m = CgroupMounts.ParseV1("""
            25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
            26 24 0:23 / /sys/fs/cgroup/net_cls,net_prio rw shared:10 - cgroup cgroup rw,xattr,net_cls,net_prio
            27 24 0:24 / /sys/fs/cgroup/my\040dir rw - cgroup cgroup rw,release_agent=/x,hugetlb
            """);
        Assert.Same(m["cpu"], m["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", m["cpu"].Mountpoint);
        Assert.Equal("/sys/fs/cgroup/net_cls,net_prio", m["net_prio"].Mountpoint);
        Assert.Equal("/sys/fs/cgroup/my dir", m["hugetlb"].Mountpoint);
        Assert.False(m.ContainsKey("xattr"));
        Assert.False(m.ContainsKey("release_agent=/x"));
    }

    [Fact]
    public void ParseV1_first_mount_of_a_hierarchy_wins()
    {
        var m = CgroupMounts.ParseV1("""
            35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            90 23 0:32 /sub /mnt/mem rw - cgroup cgroup rw,memory
            """);
        Assert.Equal("/sys/fs/cgroup/memory", m["memory"].Mountpoint);
    }

    [Fact]
    public void ParseProcCgroup_v1_v2_and_named()
    {
        var c = CgroupMounts.ParseProcCgroup(HostProcCgroup);
        Assert.Equal("/process_api/ef7be1bad54bd6376db7786f7174dbe4", c["memory"]);
        Assert.Equal("/", c["name=systemd"]);
        Assert.Equal("/", c[""]);
        var co = CgroupMounts.ParseProcCgroup("3:cpu,cpuacct:/a/b\n0::/user.slice/x.scope\n");
        Assert.Equal("/a/b", co["cpu"]);
        Assert.Equal("/a/b", co["cpuacct"]);
        Assert.Equal("/user.slice/x.scope", co[""]);
    }
}
