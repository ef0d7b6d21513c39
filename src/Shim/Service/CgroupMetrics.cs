using NRunc.Shim.Protos.Cgroups;

namespace NRunc.Shim.Service;

/// <summary>
/// Stats for cgroup v1: containerd's io.containerd.cgroups.v1.Metrics filled from the controller files (the
/// counters containerd's cgroups library reads): cpuacct, cpu.stat, memory, pids, blkio.
/// </summary>
public static class CgroupMetrics
{
    public const string TypeUrl = "io.containerd.cgroups.v1.Metrics";

    public static Metrics Read(CgroupPaths cg)
    {
        var m = new Metrics();
        if (cg.Dir("pids") is { } pids)
            m.Pids = new PidsStat { Current = U64(pids, "pids.current"), Limit = U64(pids, "pids.max") };
        if (cg.Dir("cpuacct") is { } acct)
        {
            var usage = new CPUUsage { Total = U64(acct, "cpuacct.usage") };
            foreach (var v in Text(acct, "cpuacct.usage_percpu").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (ulong.TryParse(v, out var n)) usage.PerCpu.Add(n);
            var stat = KeyValues(acct, "cpuacct.stat");
            // USER_HZ ticks (100 a second) in nanoseconds.
            usage.User = stat.GetValueOrDefault("user") * 10_000_000;
            usage.Kernel = stat.GetValueOrDefault("system") * 10_000_000;
            m.Cpu = new CPUStat { Usage = usage };
            if (cg.Dir("cpu") is { } cpu)
            {
                var t = KeyValues(cpu, "cpu.stat");
                m.Cpu.Throttling = new Throttle
                {
                    Periods = t.GetValueOrDefault("nr_periods"),
                    ThrottledPeriods = t.GetValueOrDefault("nr_throttled"),
                    ThrottledTime = t.GetValueOrDefault("throttled_time"),
                };
            }
        }
        if (cg.Dir("memory") is { } mem) m.Memory = Memory(mem, m);
        if (cg.Dir("blkio") is { } blk) m.Blkio = Blkio(blk);
        return m;
    }

    static MemoryStat Memory(string dir, Metrics m)
    {
        var s = KeyValues(dir, "memory.stat");
        ulong V(string k) => s.GetValueOrDefault(k);
        var ms = new MemoryStat
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
            Usage = Entry(dir, "memory"),
            Swap = Entry(dir, "memory.memsw"),
            Kernel = Entry(dir, "memory.kmem"),
            KernelTcp = Entry(dir, "memory.kmem.tcp"),
        };
        var oom = KeyValues(dir, "memory.oom_control");
        m.MemoryOomControl = new MemoryOomControl
        {
            OomKillDisable = oom.GetValueOrDefault("oom_kill_disable"),
            UnderOom = oom.GetValueOrDefault("under_oom"),
            OomKill = oom.GetValueOrDefault("oom_kill"),
        };
        return ms;
    }

    static MemoryEntry Entry(string dir, string prefix) => new()
    {
        Usage = U64(dir, prefix + ".usage_in_bytes"),
        Max = U64(dir, prefix + ".max_usage_in_bytes"),
        Limit = U64(dir, prefix + ".limit_in_bytes"),
        Failcnt = U64(dir, prefix + ".failcnt"),
    };

    static BlkIOStat Blkio(string dir)
    {
        var b = new BlkIOStat();
        // CFQ/BFQ files when the scheduler has them, else the throttle layer's counters.
        string F(string name) => File.Exists(Path.Combine(dir, "blkio." + name)) ? name : "throttle." + name.Replace("_recursive", "");
        Fill(b.IoServiceBytesRecursive, dir, F("io_service_bytes_recursive"));
        Fill(b.IoServicedRecursive, dir, F("io_serviced_recursive"));
        Fill(b.IoQueuedRecursive, dir, "io_queued_recursive");
        Fill(b.IoServiceTimeRecursive, dir, "io_service_time_recursive");
        Fill(b.IoWaitTimeRecursive, dir, "io_wait_time_recursive");
        Fill(b.IoMergedRecursive, dir, "io_merged_recursive");
        Fill(b.IoTimeRecursive, dir, "time_recursive");
        Fill(b.SectorsRecursive, dir, "sectors_recursive");
        return b;
    }

    /// <summary>Lines "MAJ:MIN Op value" (or "MAJ:MIN value"); the "Total" line is skipped.</summary>
    static void Fill(Google.Protobuf.Collections.RepeatedField<BlkIOEntry> list, string dir, string name)
    {
        foreach (var line in Text(dir, "blkio." + name).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || !f[0].Contains(':')) continue;
            var dev = f[0].Split(':');
            if (!ulong.TryParse(dev[0], out var major) || !ulong.TryParse(dev[1], out var minor)) continue;
            var e = new BlkIOEntry { Major = major, Minor = minor };
            if (f.Length == 3) { e.Op = f[1]; ulong.TryParse(f[2], out var v); e.Value = v; }
            else { ulong.TryParse(f[1], out var v); e.Value = v; }
            list.Add(e);
        }
    }

    static string Text(string dir, string file)
    {
        try { return File.ReadAllText(Path.Combine(dir, file)); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    /// <summary>A number file; "max" (no limit) and unreadable files count as 0.</summary>
    static ulong U64(string dir, string file) => ulong.TryParse(Text(dir, file).Trim(), out var v) ? v : 0;

    public static Dictionary<string, ulong> KeyValues(string dir, string file)
    {
        var d = new Dictionary<string, ulong>();
        foreach (var line in Text(dir, file).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', 2);
            if (f.Length == 2 && ulong.TryParse(f[1].Trim(), out var v)) d[f[0]] = v;
        }
        return d;
    }
}
