using System.Text.Json;
using NRunc.Cgroups;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Cgroups;

/// <summary>
/// The v1 driver against this host's real hierarchies, under /sys/fs/cgroup/&lt;ctrl&gt;/nrunc-unittest-&lt;random&gt;/,
/// removed again by each test.
/// </summary>
public class HostV1Tests
{
    static string R(string path) => File.ReadAllText(path).Trim();

    static (ICgroupManager m, string parent) NewManager(LinuxDevice[]? devices = null)
    {
        var parent = CgroupTestHost.NewName();
        var m = CgroupManagerFactory.ForContainer("c1", "/" + parent + "/c1", false, false);
        m.LinuxDevices = devices;
        return (m, parent);
    }

    /// <summary>Leaves the host as it was even when a test failed half-way (its own failure is the one reported).</summary>
    static void Cleanup(ICgroupManager m, string parent, CgroupTestHost.Sleeper? sleeper = null)
    {
        try { if (m.Exists()) m.Thaw(); } catch (CgroupException) { } // a frozen task cannot die
        sleeper?.Dispose();
        try { m.Destroy(); } catch (CgroupException) { }
        foreach (var d in Directory.GetDirectories("/sys/fs/cgroup"))
            try { if (Directory.Exists(Path.Combine(d, parent))) Directory.Delete(Path.Combine(d, parent), true); }
            catch (IOException) { }
    }

    [V1RootFact]
    public void Lifecycle_create_apply_set_freeze_stats_destroy()
    {
        var (m, parent) = NewManager([]);
        using var sleeper = new CgroupTestHost.Sleeper();
        try
        {
            Assert.False(m.IsUnified);
            Assert.Equal($"/sys/fs/cgroup/memory/{parent}/c1", m.Paths["memory"]);
            Assert.False(m.Exists());
            m.Create();
            Assert.True(m.Exists());
            foreach (var d in m.Paths.Values) Assert.True(Directory.Exists(d), d);
            // cpuset dirs start empty in the kernel: ours must have the parent's values.
            Assert.Equal(R("/sys/fs/cgroup/cpuset/cpuset.cpus"), R(m.Paths["cpuset"] + "/cpuset.cpus"));
            Assert.Equal(R("/sys/fs/cgroup/cpuset/cpuset.mems"), R(m.Paths["cpuset"] + "/cpuset.mems"));

            m.Apply(sleeper.Pid);
            foreach (var d in m.Paths.Values) Assert.True(File.ReadAllLines(d + "/cgroup.procs").Contains(sleeper.Pid.ToString()), sleeper.Pid.ToString());

            m.Set(new LinuxResources
            {
                Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20, Reservation = 32 << 20, Swappiness = 10 },
                Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Cpus = "0", Mems = "0" },
                Pids = new LinuxPids { Limit = 20 },
                BlockIO = new LinuxBlockIO { ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 1048576 }] },
                Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 4, Minor = 64, Access = "rw" }],
            });
            var mem = m.Paths["memory"];
            Assert.Equal((64 << 20).ToString(), R(mem + "/memory.limit_in_bytes"));
            Assert.Equal((128 << 20).ToString(), R(mem + "/memory.memsw.limit_in_bytes"));
            Assert.Equal((32 << 20).ToString(), R(mem + "/memory.soft_limit_in_bytes"));
            Assert.Equal("10", R(mem + "/memory.swappiness"));
            Assert.Equal("512", R(m.Paths["cpu"] + "/cpu.shares"));
            Assert.Equal("50000", R(m.Paths["cpu"] + "/cpu.cfs_quota_us"));
            Assert.Equal("100000", R(m.Paths["cpu"] + "/cpu.cfs_period_us"));
            Assert.Equal("0", R(m.Paths["cpuset"] + "/cpuset.cpus"));
            Assert.Equal("20", R(m.Paths["pids"] + "/pids.max"));
            Assert.Equal("254:0 1048576", R(m.Paths["blkio"] + "/blkio.throttle.read_bps_device"));
            var devices = File.ReadAllLines(m.Paths["devices"] + "/devices.list");
            Assert.True(devices.Contains("c 4:64 rw"), "c 4:64 rw");
            Assert.True(devices.Contains("c 1:3 rwm"), "c 1:3 rwm");
            Assert.True(devices.Contains("c *:* m"), "c *:* m");
            Assert.False(devices.Contains("a *:* rwm"), "a *:* rwm");

            Assert.False(m.IsFrozen());
            m.Freeze();
            Assert.True(m.IsFrozen());
            Assert.Equal("FROZEN", R(m.Paths["freezer"] + "/freezer.state"));
            m.Thaw();
            Assert.False(m.IsFrozen());
            Assert.Equal("THAWED", R(m.Paths["freezer"] + "/freezer.state"));

            Assert.Equal(sleeper.Pid, Assert.Single(m.GetPids()));

            var stats = m.GetStats();
            Assert.Equal(1UL, stats.Pids.Current);
            Assert.Equal(20UL, stats.Pids.Limit);
            Assert.Equal(64UL << 20, stats.Memory.Usage.Limit);
            Assert.Equal(128UL << 20, stats.Memory.Swap.Limit);
            Assert.True(stats.Memory.Raw!.ContainsKey("total_rss"));
            Assert.Equal((ushort)0, Assert.Single(stats.Cpuset.Cpus!));
            Assert.NotNull(stats.Cpu.Usage.Percpu);
            var json = JsonSerializer.Serialize(stats, CgroupStatsJsonContext.Default.CgroupStats);
            Assert.Contains("\"pids\":{\"current\":1,\"limit\":20}", json);

            sleeper.Dispose();
            m.Destroy();
            Assert.False(m.Exists());
            foreach (var d in m.Paths.Values) Assert.False(Directory.Exists(d), d);
            // The parent dirs Create made are removed too.
            Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/{parent}"));
            m.Destroy(); // already gone: fine
        }
        finally { Cleanup(m, parent, sleeper); }
    }

    [V1RootFact]
    public void Memory_and_swap_can_be_raised_and_lowered()
    {
        var (m, parent) = NewManager();
        try
        {
            m.Create();
            var mem = m.Paths["memory"];
            void Check(long limit, long swap)
            {
                m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = limit, Swap = swap } });
                Assert.Equal(limit.ToString(), R(mem + "/memory.limit_in_bytes"));
                Assert.Equal(swap.ToString(), R(mem + "/memory.memsw.limit_in_bytes"));
            }
            Check(64 << 20, 128 << 20);
            Check(256 << 20, 512 << 20); // raise: memsw first
            Check(32 << 20, 48 << 20);   // lower: limit first
            // -1 with swap unset: both unlimited.
            m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
            Assert.Equal(R("/sys/fs/cgroup/memory/memory.limit_in_bytes"), R(mem + "/memory.limit_in_bytes"));
            Assert.Equal(R("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"), R(mem + "/memory.memsw.limit_in_bytes"));
        }
        finally { Cleanup(m, parent); }
    }

    [V1RootFact]
    public void Pids_limit_zero_or_negative_is_max()
    {
        var (m, parent) = NewManager();
        try
        {
            m.Create();
            m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 5 } });
            Assert.Equal("5", R(m.Paths["pids"] + "/pids.max"));
            m.Set(new LinuxResources { Pids = new LinuxPids { Limit = -1 } });
            Assert.Equal("max", R(m.Paths["pids"] + "/pids.max"));
            m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 7 } });
            m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 0 } });
            Assert.Equal("max", R(m.Paths["pids"] + "/pids.max"));
        }
        finally { Cleanup(m, parent); }
    }

    [V1RootFact]
    public void Errors_name_the_value_the_file_or_the_resource()
    {
        var (m, parent) = NewManager();
        try
        {
            m.Create();
            var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Cpu = new LinuxCpu { Shares = 1 } }));
            Assert.Equal("linux.resources.cpu.shares: the minimum allowed cpu-shares is 2", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Cpu = new LinuxCpu { Cpus = "999" } }));
            Assert.Equal($"failed to write \"999\": write {m.Paths["cpuset"]}/cpuset.cpus: numerical result out of range", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 1 }] }));
            Assert.StartsWith("cannot set hugetlb limit", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Network = new LinuxNetwork { ClassId = 5 } }));
            Assert.StartsWith("cannot set net_cls limit", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Unified = new() { ["pids.max"] = "5" } }));
            Assert.StartsWith("linux.resources.unified", e.Message);
            e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Memory = new LinuxMemory { Swappiness = 101 } }));
            Assert.StartsWith("linux.resources.memory.swappiness", e.Message);
            // Nothing set for a missing controller: no error.
            m.Set(new LinuxResources { HugepageLimits = [], Network = new LinuxNetwork() });
        }
        finally { Cleanup(m, parent); }
    }

    [V1RootFact]
    public void FromPaths_finds_the_same_cgroups_and_destroys_sub_cgroups()
    {
        var (m, parent) = NewManager();
        using var sleeper = new CgroupTestHost.Sleeper();
        try
        {
            m.Create();
            m.Apply(sleeper.Pid);
            // A sub-cgroup made inside the container, with the process moved into it.
            var sub = m.Paths["pids"] + "/inner";
            Directory.CreateDirectory(sub);
            File.WriteAllText(sub + "/cgroup.procs", sleeper.Pid.ToString());
            var again = CgroupManagerFactory.FromPaths(new Dictionary<string, string>(m.Paths), false);
            Assert.True(again.Exists());
            Assert.Equal(sleeper.Pid, Assert.Single(again.GetPids()));
            sleeper.Dispose();
            again.Destroy();
            Assert.False(again.Exists());
            Assert.False(Directory.Exists(sub));
        }
        finally { Cleanup(m, parent, sleeper); }
    }

    [V1RootFact]
    public void Create_without_resources_still_gets_the_default_device_rules_and_linux_devices()
    {
        var (m, parent) = NewManager([new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }]);
        try
        {
            m.Create();
            m.Set(null);
            var devices = File.ReadAllLines(m.Paths["devices"] + "/devices.list");
            Assert.True(devices.Contains("c 10:229 rwm"), "linux.devices allowed");
            Assert.True(devices.Contains("c 1:5 rwm"), "/dev/zero allowed");
            Assert.False(devices.Contains("a *:* rwm"), "not allow-all");
            Assert.False(devices.Contains("b 254:0 rw"), "host disk not allowed");
        }
        finally { Cleanup(m, parent); }
    }

    [V1RootFact]
    public void Relative_cgroupsPath_is_under_own_cgroup()
    {
        var name = CgroupTestHost.NewName();
        var m = CgroupManagerFactory.ForContainer("c1", name, false, false);
        var own = NRunc.Cgroups.Common.CgroupHost.OwnCgroups();
        Assert.Equal(NRunc.Cgroups.Common.CgroupPath.Join("/sys/fs/cgroup/pids", own["pids"], name), m.Paths["pids"]);
    }
}
