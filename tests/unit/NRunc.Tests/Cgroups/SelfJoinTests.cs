using NRunc.Cgroups;
using Xunit;

namespace NRunc.Tests.Cgroups;

/// <summary>Which files create's stage 1 writes "0" into to join its cgroups itself (pure: no host access).</summary>
public class SelfJoinTests
{
    [Fact]
    public void V1_one_tasks_file_per_hierarchy_comounted_dirs_once()
    {
        var m = CgroupManagerFactory.FromPaths(new Dictionary<string, string>
        {
            ["cpuset"] = "/sys/fs/cgroup/cpuset/x",
            ["cpu"] = "/sys/fs/cgroup/cpu,cpuacct/x",
            ["cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/x",
            ["memory"] = "/sys/fs/cgroup/memory/x",
        }, systemd: false);
        Assert.Equal(
            new[] { "/sys/fs/cgroup/cpuset/x/tasks", "/sys/fs/cgroup/cpu,cpuacct/x/tasks", "/sys/fs/cgroup/memory/x/tasks" },
            m.SelfJoinFiles());
    }

    [Fact]
    public void Rootless_v1_has_none_apply_skips_what_it_cannot_join()
    {
        var m = new NRunc.Cgroups.Fs.FsManager(new Dictionary<string, string> { ["memory"] = "/sys/fs/cgroup/memory/x" }, rootless: true);
        Assert.Empty(m.SelfJoinFiles());
    }

    [Fact]
    public void V2_has_none_the_parent_moves_the_pid()
    {
        var m = CgroupManagerFactory.FromPaths(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/x" }, systemd: false);
        Assert.Empty(m.SelfJoinFiles());
    }
}
