using System.Text.Json;
using NRunc.Cgroups;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Cgroups;

/// <summary>
/// The v2 driver against a real unified hierarchy. This host is v1, so these run in the cgroup-v2 qemu guest:
/// tests/vm/run-cgroup2-tests.sh.
/// </summary>
public class HostV2Tests
{
    static string R(string path) => File.ReadAllText(path).Trim();

    static void Cleanup(ICgroupManager m, string parent, CgroupTestHost.Sleeper? sleeper = null)
    {
        try { if (m.Exists()) m.Thaw(); } catch (CgroupException) { }
        sleeper?.Dispose();
        try { m.Destroy(); } catch (CgroupException) { }
        try { if (Directory.Exists("/sys/fs/cgroup/" + parent)) Directory.Delete("/sys/fs/cgroup/" + parent, true); } catch (IOException) { }
    }

    [V2RootFact]
    public void Lifecycle_create_apply_set_freeze_stats_destroy()
    {
        var parent = CgroupTestHost.NewName();
        var m = CgroupManagerFactory.ForContainer("c1", "/" + parent + "/c1", false, false);
        m.LinuxDevices = [];
        using var sleeper = new CgroupTestHost.Sleeper();
        try
        {
            Assert.True(m.IsUnified, "m.IsUnified");
            var dir = $"/sys/fs/cgroup/{parent}/c1";
            Assert.Equal(dir, m.Paths[""]);
            m.Create();
            Assert.True(m.Exists(), "m.Exists()");
            var ctrls = R(dir + "/cgroup.controllers").Split(' ');
            foreach (var c in new[] { "cpu", "memory", "pids", "cpuset" }) Assert.True(ctrls.Contains(c), c);

            m.Apply(sleeper.Pid);
            Assert.Equal(sleeper.Pid.ToString(), R(dir + "/cgroup.procs"));

            m.Set(new LinuxResources
            {
                Memory = new LinuxMemory { Limit = 64 << 20, Swap = 96 << 20, Reservation = 16 << 20 },
                Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 100000, Cpus = "0", Mems = "0" },
                Pids = new LinuxPids { Limit = 20 },
                // Device rules need eBPF on v2: skipped (debug log), must not fail.
                Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
            });
            Assert.Equal((64 << 20).ToString(), R(dir + "/memory.max"));
            Assert.Equal((16 << 20).ToString(), R(dir + "/memory.low"));
            if (File.Exists(dir + "/memory.swap.max")) Assert.Equal((32 << 20).ToString(), R(dir + "/memory.swap.max"));
            Assert.Equal("39", R(dir + "/cpu.weight"));
            Assert.Equal("50000 100000", R(dir + "/cpu.max"));
            Assert.Equal("0", R(dir + "/cpuset.cpus"));
            Assert.Equal("20", R(dir + "/pids.max"));

            // unified is written last and wins.
            m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 10 }, Unified = new() { ["pids.max"] = "30", ["memory.high"] = "100000000" } });
            Assert.Equal("30", R(dir + "/pids.max"));
            Assert.Equal("99999744", R(dir + "/memory.high")); // rounded down to pages by the kernel

            // -1 → max; swap -1 → max.
            m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = -1 }, Cpu = new LinuxCpu { Quota = -1 } });
            Assert.Equal("max", R(dir + "/memory.max"));
            if (File.Exists(dir + "/memory.swap.max")) Assert.Equal("max", R(dir + "/memory.swap.max"));
            Assert.Equal("max 100000", R(dir + "/cpu.max"));

            Assert.False(m.IsFrozen(), "m.IsFrozen()");
            m.Freeze();
            Assert.True(m.IsFrozen(), "m.IsFrozen()");
            Assert.True(File.ReadAllLines(dir + "/cgroup.events").Contains("frozen 1"), "frozen 1");
            m.Thaw();
            Assert.False(m.IsFrozen(), "m.IsFrozen()");
            Assert.True(File.ReadAllLines(dir + "/cgroup.events").Contains("frozen 0"), "frozen 0");

            Assert.Equal(sleeper.Pid, Assert.Single(m.GetPids()));
            var stats = m.GetStats();
            Assert.Equal(1UL, stats.Pids.Current);
            Assert.Equal(30UL, stats.Pids.Limit);
            Assert.Equal(ulong.MaxValue, stats.Memory.Usage.Limit);
            // No usage assertion: v2 does not move charges with a task, and a sleeping task allocates nothing after Apply.
            Assert.True(stats.Cpu.Usage.Total >= stats.Cpu.Usage.User, "stats.Cpu.Usage.Total >= stats.Cpu.Usage.User"); // a sleeping task may have used 0 µs since Apply
            Assert.True(stats.Memory.Raw!.ContainsKey("anon"), "memory.stat has anon");
            var json = JsonSerializer.Serialize(stats, CgroupStatsJsonContext.Default.CgroupStats);
            Assert.Contains("\"pids\":{\"current\":1,\"limit\":30}", json);

            sleeper.Dispose();
            m.Destroy();
            Assert.False(m.Exists(), "m.Exists()");
            Assert.False(Directory.Exists("/sys/fs/cgroup/" + parent), "parent removed"); // parents Create made are removed too
            m.Destroy();
        }
        finally { Cleanup(m, parent, sleeper); }
    }

    [V2RootFact]
    public void Errors_name_the_key_or_the_controller()
    {
        var parent = CgroupTestHost.NewName();
        var m = CgroupManagerFactory.ForContainer("c1", "/" + parent + "/c1", false, false);
        try
        {
            m.Create();
            var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new() { ["nosuch.max"] = "1" } }));
            Assert.Equal("linux.resources.unified: \"nosuch.max\" can't be set: controller \"nosuch\" not available", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new() { ["../pids.max"] = "1" } }));
            Assert.Contains("no slashes", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 100 << 20, Swap = 50 << 20 } }));
            Assert.Contains("memory+swap limit should be >= memory limit", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 5 }, Unified = new() { ["pids.max"] = "lots" } }));
            Assert.Equal($"failed to write \"lots\": write /sys/fs/cgroup/{parent}/c1/pids.max: invalid argument", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Cpu = new LinuxCpu { Shares = 1 } }));
            Assert.StartsWith("linux.resources.cpu.shares: 1 is out of range", e.Message);
            // v2 has no net_cls/net_prio and no realtime scheduling: ignored, as runc does
            m.Set(new LinuxResources { Network = new LinuxNetwork { ClassId = 1 }, Cpu = new LinuxCpu { RealtimeRuntime = 1000 } });
        }
        finally { Cleanup(m, parent); }
    }

    [V2RootFact]
    public void Relative_path_goes_under_the_parent_of_our_own_cgroup()
    {
        var own = NRunc.Cgroups.Common.CgroupHost.OwnCgroups()[""];
        var m = CgroupManagerFactory.ForContainer("c1", "rel-x", false, false);
        var ownParent = own == "/" ? "/" : own[..own.LastIndexOf('/')];
        Assert.Equal(NRunc.Cgroups.Common.CgroupPath.Join("/sys/fs/cgroup", ownParent, "rel-x"), m.Paths[""]);
    }

    [V2RootFact]
    public void FromPaths_round_trip_and_sub_cgroups_are_removed()
    {
        var parent = CgroupTestHost.NewName();
        var m = CgroupManagerFactory.ForContainer("c1", "/" + parent + "/c1", false, false);
        using var sleeper = new CgroupTestHost.Sleeper();
        try
        {
            m.Create();
            var sub = m.Paths[""] + "/inner";
            Directory.CreateDirectory(sub);
            File.WriteAllText(sub + "/cgroup.procs", sleeper.Pid.ToString());
            var again = CgroupManagerFactory.FromPaths(new Dictionary<string, string>(m.Paths), false);
            Assert.True(again.IsUnified, "again.IsUnified");
            Assert.Equal(sleeper.Pid, Assert.Single(again.GetPids()));
            again.Freeze();
            Assert.True(again.IsFrozen(), "again.IsFrozen()");
            again.Thaw();
            sleeper.Dispose();
            again.Destroy();
            Assert.False(Directory.Exists(sub), "Directory.Exists(sub)");
            Assert.False(again.Exists(), "again.Exists()");
        }
        finally { Cleanup(m, parent, sleeper); }
    }
}
