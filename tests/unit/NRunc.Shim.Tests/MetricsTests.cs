using Google.Protobuf;
using NRunc.Cgroups;
using NRunc.Shim.Service;
using Xunit;

namespace NRunc.Shim.Tests;

/// <summary>
/// NRunc.Cgroups stats mapped to containerd's v1 and v2 metrics: a fixed stats object, its protobuf bytes as
/// containerd decodes them shown field by field (golden/NAME.txt; UPDATE_GOLDEN=1 rewrites), and spot checks.
/// </summary>
public class MetricsTests
{
    static CgroupStats V1Stats() => new()
    {
        Cpu = new CpuStats
        {
            Usage = new CpuUsage { Total = 3_000_000, Kernel = 1_000_000, User = 2_000_000, Percpu = [1_000_000, 2_000_000] },
            Throttling = new ThrottlingStats { Periods = 10, ThrottledPeriods = 2, ThrottledTime = 5000 },
        },
        Memory = new MemoryStats
        {
            Cache = 4096,
            Usage = new MemoryEntry { Usage = 1 << 20, Limit = 64 << 20, Max = 2 << 20, Failcnt = 1 },
            Swap = new MemoryEntry { Usage = 1 << 20, Limit = 128 << 20, Max = 2 << 20 },
            Kernel = new MemoryEntry { Usage = 8192, Limit = ulong.MaxValue - 4095 },
            KernelTcp = new MemoryEntry(),
            Raw = new(StringComparer.Ordinal)
            {
                ["cache"] = 4096, ["rss"] = 8192, ["rss_huge"] = 0, ["mapped_file"] = 12, ["pgfault"] = 100, ["pgmajfault"] = 1,
                ["active_anon"] = 8192, ["hierarchical_memory_limit"] = 64 << 20, ["hierarchical_memsw_limit"] = 128 << 20,
                ["total_cache"] = 4096, ["total_rss"] = 8192, ["total_pgfault"] = 100, ["total_unevictable"] = 3,
            },
            Events = new() { ["oom_kill_disable"] = 0, ["under_oom"] = 0, ["oom_kill"] = 2 },
        },
        Pids = new PidsStats { Current = 3, Limit = 20 },
        Blkio = new BlkioStats
        {
            IoServiceBytesRecursive = [new() { Major = 8, Minor = 0, Op = "Read", Value = 4096 }, new() { Major = 8, Minor = 0, Op = "Write", Value = 512 }],
            IoServicedRecursive = [new() { Major = 8, Minor = 0, Op = "Read", Value = 1 }],
            SectorsRecursive = [new() { Major = 8, Minor = 0, Op = "", Value = 9 }],
        },
        Hugetlb = new() { ["2MB"] = new HugetlbStats { Usage = 2 << 20, Max = 4 << 20, Failcnt = 1, Limit = 8 << 20 } },
    };

    static CgroupStats V2Stats() => new()
    {
        Cpu = new CpuStats
        {
            Usage = new CpuUsage { Total = 3_000_000, Kernel = 1_000_000, User = 2_000_000 },
            Throttling = new ThrottlingStats { Periods = 10, ThrottledPeriods = 2, ThrottledTime = 5000 },
        },
        Memory = new MemoryStats
        {
            Cache = 4096,
            Usage = new MemoryEntry { Usage = 1 << 20, Limit = 64 << 20, Max = 2 << 20, Failcnt = 1 },
            // runc's memory+swap view; SwapOnly is what the kernel reports for swap.
            Swap = new MemoryEntry { Usage = (1 << 20) + 4096, Limit = 96 << 20 },
            SwapOnly = new MemoryEntry { Usage = 4096, Limit = 32 << 20, Max = 8192 },
            Raw = new(StringComparer.Ordinal)
            {
                ["anon"] = 8192, ["file"] = 4096, ["kernel_stack"] = 16384, ["slab"] = 100, ["sock"] = 0, ["shmem"] = 5,
                ["file_mapped"] = 6, ["file_dirty"] = 7, ["file_writeback"] = 8, ["anon_thp"] = 9, ["inactive_anon"] = 10,
                ["active_anon"] = 11, ["inactive_file"] = 12, ["active_file"] = 13, ["unevictable"] = 14,
                ["slab_reclaimable"] = 15, ["slab_unreclaimable"] = 16, ["pgfault"] = 17, ["pgmajfault"] = 18,
                ["workingset_refault"] = 19, ["workingset_activate"] = 20, ["workingset_nodereclaim"] = 21,
                ["pgrefill"] = 22, ["pgscan"] = 23, ["pgsteal"] = 24, ["pgactivate"] = 25, ["pgdeactivate"] = 26,
                ["pglazyfree"] = 27, ["pglazyfreed"] = 28, ["thp_fault_alloc"] = 29, ["thp_collapse_alloc"] = 30,
            },
            Events = new() { ["low"] = 1, ["high"] = 2, ["max"] = 3, ["oom"] = 4, ["oom_kill"] = 5 },
        },
        Pids = new PidsStats { Current = 3, Limit = 0 }, // unlimited
        Blkio = new BlkioStats
        {
            IoServiceBytesRecursive = [
                new() { Major = 254, Minor = 0, Op = "Read", Value = 4096 }, new() { Major = 254, Minor = 0, Op = "Write", Value = 512 },
                new() { Major = 254, Minor = 0, Op = "Discard", Value = 7 }, new() { Major = 7, Minor = 1, Op = "Read", Value = 100 },
            ],
            IoServicedRecursive = [new() { Major = 254, Minor = 0, Op = "Read", Value = 1 }, new() { Major = 254, Minor = 0, Op = "Write", Value = 2 }],
        },
        Hugetlb = new() { ["2MB"] = new HugetlbStats { Usage = 2 << 20, Failcnt = 1, Limit = ulong.MaxValue } },
        Rdma = new RdmaStats { Current = [new("mlx4_0", 1, 2)], Limit = [new("mlx4_0", uint.MaxValue, 2000)] },
    };

    [Fact]
    public void V1MetricsGolden()
    {
        var m = MetricsV1.From(V1Stats());
        Golden.AssertMatches("metrics-v1", Golden.Dump(m));
        Assert.Equal("io.containerd.cgroups.v1.Metrics", MetricsV1.TypeUrl);
        Assert.Equal(2UL, m.MemoryOomControl.OomKill);
        Assert.Equal(20UL, m.Pids.Limit);
    }

    [Fact]
    public void V2MetricsGolden()
    {
        var m = MetricsV2.From(V2Stats());
        Golden.AssertMatches("metrics-v2", Golden.Dump(m));
        Assert.Equal("io.containerd.cgroups.v2.Metrics", MetricsV2.TypeUrl);
        // nanoseconds → microseconds; swap on its own; "max" pids limit as containerd reads it
        Assert.Equal((3000UL, 2000UL, 1000UL, 5UL), (m.Cpu.UsageUsec, m.Cpu.UserUsec, m.Cpu.SystemUsec, m.Cpu.ThrottledUsec));
        Assert.Equal((4096UL, 32UL << 20, 8192UL), (m.Memory.SwapUsage, m.Memory.SwapLimit, m.Memory.SwapMaxUsage));
        Assert.Equal(ulong.MaxValue, m.Pids.Limit);
        // io.stat per device again: one entry for 254:0 with read and write bytes and ios, one for 7:1
        Assert.Equal(2, m.Io.Usage.Count);
        Assert.Equal((4096UL, 512UL, 1UL, 2UL), (m.Io.Usage[0].Rbytes, m.Io.Usage[0].Wbytes, m.Io.Usage[0].Rios, m.Io.Usage[0].Wios));
    }

    [Fact]
    public void V2FieldNumbersAreContainerds()
    {
        var m = new NRunc.Shim.Protos.CgroupsV2.Metrics
        {
            Pids = new() { Current = 1 },
            Memory = new() { Usage = 5, SwapLimit = 6 },
            MemoryEvents = new() { OomKill = 1 },
        };
        // pids = 1 {current = 1}; memory = 4 {usage = 32, swap_limit = 35}; memory_events = 8 {oom_kill = 5}
        Assert.Equal(new byte[] { 0x0a, 2, 0x08, 1, 0x22, 6, 0x80, 0x02, 5, 0x98, 0x02, 6, 0x42, 2, 0x28, 1 }, m.ToByteArray());
    }

    [Fact]
    public void EmptyStatsGiveEmptyButPresentMessages()
    {
        var v2 = MetricsV2.From(new CgroupStats());
        Assert.NotNull(v2.Io);
        Assert.Null(v2.MemoryEvents);
        Assert.Empty(v2.Hugetlb);
        var v1 = MetricsV1.From(new CgroupStats());
        Assert.Null(v1.MemoryOomControl);
        Assert.Null(v1.Rdma);
    }
}
