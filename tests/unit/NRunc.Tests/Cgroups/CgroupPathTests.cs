using NRunc.Cgroups;
using NRunc.Cgroups.Common;
using NRunc.Cgroups.Fs;
using NRunc.Cgroups.Fs2;
using Xunit;

namespace NRunc.Tests.Cgroups;

public class CgroupPathTests
{
    [Theory]
    [InlineData("", ".")]
    [InlineData("/", "/")]
    [InlineData("/a//b/./c/", "/a/b/c")]
    [InlineData("/a/../../b", "/b")]
    [InlineData("a/../../b", "../b")]
    [InlineData("./a", "a")]
    public void Clean_follows_go_filepath(string input, string expected) => Assert.Equal(expected, CgroupPath.Clean(input));

    [Theory]
    [InlineData("/foo/bar", "/foo/bar")]
    [InlineData("/foo/../../bar", "/bar")]
    [InlineData("foo/bar", "foo/bar")]
    [InlineData("../../../x/y", "x/y")]
    [InlineData("a/../..", ".")]
    public void CleanCgroupsPath_never_climbs_above_its_base(string input, string expected) =>
        Assert.Equal(expected, CgroupPath.CleanCgroupsPath(input));

    [Fact]
    public void Absent_cgroupsPath_is_absolute_id() => Assert.Equal("/abc", CgroupManagerFactory.InnerPath("abc", null));

    [Fact]
    public void Relative_cgroupsPath_is_kept_relative() => Assert.Equal("x/abc", CgroupManagerFactory.InnerPath("abc", "x/./abc"));

    [Theory]
    [InlineData("system.slice:docker:abc", true)]
    [InlineData(":nrunc:abc", true)]
    [InlineData("/a:b:c", false)]
    [InlineData("a/b", false)]
    [InlineData(null, false)]
    public void Systemd_form_is_recognised(string? path, bool expected) => Assert.Equal(expected, CgroupManagerFactory.IsSystemdForm(path));

    [Fact]
    public void Systemd_driver_without_systemd_is_a_clear_error()
    {
        if (NRunc.Cgroups.Systemd.SystemdBus.IsRunning()) return; // only where systemd is not PID 1 (this project's hosts)
        var e = Assert.Throws<CgroupException>(() => CgroupManagerFactory.ForContainer("x", "system.slice:nrunc:x", true, false));
        Assert.Equal("systemd not running on this host, cannot use systemd cgroups manager", e.Message);
        e = Assert.Throws<CgroupException>(() => CgroupManagerFactory.ForContainer("x", "system.slice:nrunc:x", false, false));
        Assert.Contains("--systemd-cgroup", e.Message);
    }

    [Theory]
    [InlineData("c1", null, "system.slice", "runc-c1.scope", "/system.slice/runc-c1.scope")]
    [InlineData("c1", "system.slice:nrunc:c1", "system.slice", "nrunc-c1.scope", "/system.slice/nrunc-c1.scope")]
    [InlineData("c1", ":docker:abc", "system.slice", "docker-abc.scope", "/system.slice/docker-abc.scope")]
    [InlineData("c1", "machine-pod-x.slice:crio:abc", "machine-pod-x.slice", "crio-abc.scope", "/machine.slice/machine-pod.slice/machine-pod-x.slice/crio-abc.scope")]
    [InlineData("c1", "-.slice:p:n", "-.slice", "p-n.scope", "/p-n.scope")]
    [InlineData("c1", "system.slice::n", "system.slice", "n.scope", "/system.slice/n.scope")]
    public void Systemd_paths_follow_runc(string id, string? path, string slice, string unit, string cgroup)
    {
        var p = NRunc.Cgroups.Systemd.SystemdUnitPath.Parse(id, path);
        Assert.Equal(slice, p.Slice);
        Assert.Equal(unit, p.Unit);
        Assert.Equal(cgroup, p.CgroupPath);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("a:b:c:d")]
    [InlineData("a--b.slice:p:n")]
    [InlineData("-a.slice:p:n")]
    [InlineData("a-.slice:p:n")]
    [InlineData("system:p:n")]
    [InlineData("a/b.slice:p:n")]
    public void Bad_systemd_paths_are_errors_naming_the_json_path(string path) =>
        Assert.StartsWith("linux.cgroupsPath", Assert.Throws<CgroupException>(() => NRunc.Cgroups.Systemd.SystemdUnitPath.Parse("c", path)).Message);

    [Fact]
    public void Cpu_lists_become_systemd_bitmasks()
    {
        Assert.Equal(new byte[] { 0b0000_0111 }, NRunc.Cgroups.Systemd.UnitProperties.Bitmask("0-2", "x"));
        Assert.Equal(new byte[] { 0b0000_0001, 0b0000_0010 }, NRunc.Cgroups.Systemd.UnitProperties.Bitmask("0,9", "x"));
    }

    static readonly Dictionary<string, CgroupMount> HostMounts = CgroupMounts.ParseV1(MountsTests.HostMountinfo);

    [Fact]
    public void V1_absolute_path_goes_under_each_mountpoint()
    {
        var paths = FsManager.ResolvePaths("/nrunc/c1", HostMounts, () => throw new InvalidOperationException("not needed"));
        Assert.Equal("/sys/fs/cgroup/memory/nrunc/c1", paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/cpuacct/nrunc/c1", paths["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/systemd/nrunc/c1", paths["name=systemd"]);
        Assert.Equal(9, paths.Count);
        Assert.False(paths.ContainsKey("hugetlb"));
    }

    [Fact]
    public void V1_relative_path_goes_under_own_cgroup()
    {
        var own = CgroupMounts.ParseProcCgroup(MountsTests.HostProcCgroup);
        var paths = FsManager.ResolvePaths("c1", HostMounts, () => own);
        Assert.Equal("/sys/fs/cgroup/memory/process_api/ef7be1bad54bd6376db7786f7174dbe4/c1", paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/pids/c1", paths["pids"]);
    }

    [Fact]
    public void V1_relative_path_is_mapped_through_a_mount_root()
    {
        // Inside a container the hierarchy is mounted from /docker/abc, and /proc/self/cgroup says /docker/abc/sub.
        var mounts = CgroupMounts.ParseV1("40 31 0:35 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        var own = CgroupMounts.ParseProcCgroup("4:memory:/docker/abc/sub\n");
        var paths = FsManager.ResolvePaths("c1", mounts, () => own);
        Assert.Equal("/sys/fs/cgroup/memory/sub/c1", paths["memory"]);
    }

    [Fact]
    public void V2_absolute_and_relative_paths()
    {
        Assert.Equal("/sys/fs/cgroup/a/b", Fs2Manager.ResolvePath("/a/b", () => throw new InvalidOperationException()));
        // Relative paths go under the parent of our own cgroup (ours has tasks: no controllers below it).
        Assert.Equal("/sys/fs/cgroup/user.slice/c1", Fs2Manager.ResolvePath("c1", () => "/user.slice/session-1.scope"));
        Assert.Equal("/sys/fs/cgroup/c1", Fs2Manager.ResolvePath("c1", () => "/"));
    }

    [Fact]
    public void FromPaths_picks_the_driver_from_the_keys()
    {
        Assert.True(CgroupManagerFactory.FromPaths(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/x" }, false).IsUnified);
        var m = CgroupManagerFactory.FromPaths(new Dictionary<string, string> { ["memory"] = "/sys/fs/cgroup/memory/x" }, false);
        Assert.False(m.IsUnified);
        Assert.Equal("/sys/fs/cgroup/memory/x", m.Paths["memory"]);
    }
}
