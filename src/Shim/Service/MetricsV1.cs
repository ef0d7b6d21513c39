using Google.Protobuf.Collections;
using Cg = NRunc.Cgroups;
using NRunc.Shim.Protos.Cgroups;

namespace NRunc.Shim.Service;

/// <summary>
/// NRunc.Cgroups' stats of a cgroup v1 container as containerd's io.containerd.cgroups.v1.Metrics (what
/// containerd's cgroups library reports for the runc shim): nanosecond cpu, memory.stat keys by name, pids limit 0
/// for "max".
/// </summary>
public static class MetricsV1
{
    public const string TypeUrl = "io.containerd.cgroups.v1.Metrics";

    public static Metrics From(Cg.CgroupStats s)
    {
        var m = new Metrics
        {
            Pids = new PidsStat { Current = s.Pids.Current, Limit = s.Pids.Limit },
            Cpu = new CPUStat
            {
                Usage = new CPUUsage { Total = s.Cpu.Usage.Total, Kernel = s.Cpu.Usage.Kernel, User = s.Cpu.Usage.User },
                Throttling = new Throttle
                {
                    Periods = s.Cpu.Throttling.Periods,
                    ThrottledPeriods = s.Cpu.Throttling.ThrottledPeriods,
                    ThrottledTime = s.Cpu.Throttling.ThrottledTime,
                },
            },
            Memory = Memory(s.Memory),
            Blkio = Blkio(s.Blkio),
        };
        if (s.Cpu.Usage.Percpu is { } percpu) m.Cpu.Usage.PerCpu.AddRange(percpu);
        foreach (var (size, h) in s.Hugetlb)
            m.Hugetlb.Add(new HugetlbStat { Usage = h.Usage, Max = h.Max, Failcnt = h.Failcnt, Pagesize = size });
        if (s.Memory.Events is { } oom)
            m.MemoryOomControl = new MemoryOomControl
            {
                OomKillDisable = oom.GetValueOrDefault("oom_kill_disable"),
                UnderOom = oom.GetValueOrDefault("under_oom"),
                OomKill = oom.GetValueOrDefault("oom_kill"),
            };
        if (s.Rdma is { } rdma)
        {
            m.Rdma = new RdmaStat();
            foreach (var e in rdma.Current) m.Rdma.Current.Add(Rdma(e));
            foreach (var e in rdma.Limit) m.Rdma.Limit.Add(Rdma(e));
        }
        return m;
    }

    static RdmaEntry Rdma(Cg.RdmaEntry e) =>
        new() { Device = e.Device, HcaHandles = e.HcaHandles, HcaObjects = e.HcaObjects };

    static MemoryStat Memory(Cg.MemoryStats mem)
    {
        var raw = mem.Raw ?? new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        ulong V(string key) => raw.GetValueOrDefault(key);
        return new MemoryStat
        {
            Cache = V("cache"), Rss = V("rss"), RssHuge = V("rss_huge"), MappedFile = V("mapped_file"), Dirty = V("dirty"),
            Writeback = V("writeback"), PgPgIn = V("pgpgin"), PgPgOut = V("pgpgout"), PgFault = V("pgfault"),
            PgMajFault = V("pgmajfault"), InactiveAnon = V("inactive_anon"), ActiveAnon = V("active_anon"),
            InactiveFile = V("inactive_file"), ActiveFile = V("active_file"), Unevictable = V("unevictable"),
            HierarchicalMemoryLimit = V("hierarchical_memory_limit"), HierarchicalSwapLimit = V("hierarchical_memsw_limit"),
            TotalCache = V("total_cache"), TotalRss = V("total_rss"), TotalRssHuge = V("total_rss_huge"),
            TotalMappedFile = V("total_mapped_file"), TotalDirty = V("total_dirty"), TotalWriteback = V("total_writeback"),
            TotalPgPgIn = V("total_pgpgin"), TotalPgPgOut = V("total_pgpgout"), TotalPgFault = V("total_pgfault"),
            TotalPgMajFault = V("total_pgmajfault"), TotalInactiveAnon = V("total_inactive_anon"),
            TotalActiveAnon = V("total_active_anon"), TotalInactiveFile = V("total_inactive_file"),
            TotalActiveFile = V("total_active_file"), TotalUnevictable = V("total_unevictable"),
            Usage = Entry(mem.Usage), Swap = Entry(mem.Swap), Kernel = Entry(mem.Kernel), KernelTcp = Entry(mem.KernelTcp),
        };
    }

    static MemoryEntry Entry(Cg.MemoryEntry e) =>
        new() { Limit = e.Limit, Usage = e.Usage, Max = e.Max, Failcnt = e.Failcnt };

    static BlkIOStat Blkio(Cg.BlkioStats b)
    {
        var o = new BlkIOStat();
        Add(o.IoServiceBytesRecursive, b.IoServiceBytesRecursive);
        Add(o.IoServicedRecursive, b.IoServicedRecursive);
        Add(o.IoQueuedRecursive, b.IoQueuedRecursive);
        Add(o.IoServiceTimeRecursive, b.IoServiceTimeRecursive);
        Add(o.IoWaitTimeRecursive, b.IoWaitTimeRecursive);
        Add(o.IoMergedRecursive, b.IoMergedRecursive);
        Add(o.IoTimeRecursive, b.IoTimeRecursive);
        Add(o.SectorsRecursive, b.SectorsRecursive);
        return o;
    }

    static void Add(RepeatedField<BlkIOEntry> to, List<Cg.BlkioEntry>? from)
    {
        if (from is null) return;
        foreach (var e in from) to.Add(new BlkIOEntry { Op = e.Op ?? "", Major = e.Major, Minor = e.Minor, Value = e.Value });
    }
}
