using Cg = NRunc.Cgroups;
using NRunc.Shim.Protos.CgroupsV2;

namespace NRunc.Shim.Service;

/// <summary>
/// NRunc.Cgroups' stats of a cgroup v2 container as containerd's io.containerd.cgroups.v2.Metrics, with the
/// values containerd's cgroup2 library reports for the runc shim: microsecond cpu, memory.stat keys by name,
/// memory.swap.* on its own (not memory+swap), "max" limits as ulong.MaxValue, io.stat per device.
/// </summary>
public static class MetricsV2
{
    public const string TypeUrl = "io.containerd.cgroups.v2.Metrics";

    public static Metrics From(Cg.CgroupStats s)
    {
        var m = new Metrics
        {
            // NRunc.Cgroups keeps runc's 0 for an unlimited pids.max; containerd shows "max" as the largest value.
            Pids = new PidsStat { Current = s.Pids.Current, Limit = s.Pids.Limit == 0 ? ulong.MaxValue : s.Pids.Limit },
            Cpu = new CPUStat
            {
                UsageUsec = s.Cpu.Usage.Total / 1000,
                UserUsec = s.Cpu.Usage.User / 1000,
                SystemUsec = s.Cpu.Usage.Kernel / 1000,
                NrPeriods = s.Cpu.Throttling.Periods,
                NrThrottled = s.Cpu.Throttling.ThrottledPeriods,
                ThrottledUsec = s.Cpu.Throttling.ThrottledTime / 1000,
            },
            Memory = Memory(s.Memory),
            Rdma = new RdmaStat(),
            Io = Io(s.Blkio),
        };
        if (s.Memory.Events is { Count: > 0 } ev)
            m.MemoryEvents = new MemoryEvents
            {
                Low = ev.GetValueOrDefault("low"), High = ev.GetValueOrDefault("high"), Max = ev.GetValueOrDefault("max"),
                Oom = ev.GetValueOrDefault("oom"), OomKill = ev.GetValueOrDefault("oom_kill"),
            };
        if (s.Rdma is { } rdma)
        {
            foreach (var e in rdma.Current) m.Rdma.Current.Add(Rdma(e));
            foreach (var e in rdma.Limit) m.Rdma.Limit.Add(Rdma(e));
        }
        foreach (var (size, h) in s.Hugetlb)
            m.Hugetlb.Add(new HugeTlbStat { Current = h.Usage, Max = h.Limit, Pagesize = size });
        return m;
    }

    static RdmaEntry Rdma(Cg.RdmaEntry e) =>
        new() { Device = e.Device, HcaHandles = e.HcaHandles, HcaObjects = e.HcaObjects };

    static MemoryStat Memory(Cg.MemoryStats mem)
    {
        var raw = mem.Raw ?? new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        ulong V(string key) => raw.GetValueOrDefault(key);
        var swap = mem.SwapOnly ?? new Cg.MemoryEntry();
        return new MemoryStat
        {
            Anon = V("anon"), File = V("file"), KernelStack = V("kernel_stack"), Slab = V("slab"), Sock = V("sock"),
            Shmem = V("shmem"), FileMapped = V("file_mapped"), FileDirty = V("file_dirty"),
            FileWriteback = V("file_writeback"), AnonThp = V("anon_thp"), InactiveAnon = V("inactive_anon"),
            ActiveAnon = V("active_anon"), InactiveFile = V("inactive_file"), ActiveFile = V("active_file"),
            Unevictable = V("unevictable"), SlabReclaimable = V("slab_reclaimable"),
            SlabUnreclaimable = V("slab_unreclaimable"), Pgfault = V("pgfault"), Pgmajfault = V("pgmajfault"),
            WorkingsetRefault = V("workingset_refault"), WorkingsetActivate = V("workingset_activate"),
            WorkingsetNodereclaim = V("workingset_nodereclaim"), Pgrefill = V("pgrefill"), Pgscan = V("pgscan"),
            Pgsteal = V("pgsteal"), Pgactivate = V("pgactivate"), Pgdeactivate = V("pgdeactivate"),
            Pglazyfree = V("pglazyfree"), Pglazyfreed = V("pglazyfreed"), ThpFaultAlloc = V("thp_fault_alloc"),
            ThpCollapseAlloc = V("thp_collapse_alloc"),
            Usage = mem.Usage.Usage, UsageLimit = mem.Usage.Limit, MaxUsage = mem.Usage.Max,
            SwapUsage = swap.Usage, SwapLimit = swap.Limit, SwapMaxUsage = swap.Max,
        };
    }

    /// <summary>io.stat came in as runc's v1-shaped Read/Write entries per device: one IOEntry per device again.</summary>
    static IOStat Io(Cg.BlkioStats b)
    {
        var io = new IOStat();
        var byDevice = new Dictionary<(ulong, ulong), IOEntry>();
        IOEntry For(Cg.BlkioEntry e)
        {
            if (!byDevice.TryGetValue((e.Major, e.Minor), out var d))
            {
                d = new IOEntry { Major = e.Major, Minor = e.Minor };
                byDevice[(e.Major, e.Minor)] = d;
                io.Usage.Add(d);
            }
            return d;
        }
        foreach (var e in b.IoServiceBytesRecursive ?? [])
            if (e.Op == "Read") For(e).Rbytes = e.Value; else if (e.Op == "Write") For(e).Wbytes = e.Value;
        foreach (var e in b.IoServicedRecursive ?? [])
            if (e.Op == "Read") For(e).Rios = e.Value; else if (e.Op == "Write") For(e).Wios = e.Value;
        return io;
    }
}
