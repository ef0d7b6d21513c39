using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>cgroup v2 memory: memory.swap.max (OCI swap is memory+swap), memory.max, memory.low.</summary>
internal static class Fs2Memory
{
    public static bool IsSet(LinuxMemory? m) => m is not null && (m.Limit is not null and not 0 || m.Swap is not null and not 0
        || m.Reservation is not null and not 0);

    public static void Set(string dir, LinuxMemory m)
    {
        long memory = m.Limit ?? 0, swapTotal = m.Swap ?? 0;
        long swap = Conversions.MemorySwapToV2(swapTotal, memory);
        var swapStr = Conversions.NumToStr(swap);
        // memory == swap: no swap at all.
        if (swapStr is null && swap == 0 && swapTotal > 0) swapStr = "0";
        // Checked before any write, so a refused update changes nothing.
        if (m.CheckBeforeUpdate == true && memory > 0)
        {
            var cur = CgroupFs.ReadUInt(dir, "memory.current");
            if (cur > (ulong)memory)
                throw new CgroupException($"linux.resources.memory.limit: new limit {memory} is below the current usage {cur} (checkBeforeUpdate)");
        }
        if (swapStr is not null)
        {
            int err = CgroupFs.TryWrite(CgroupFs.Join(dir, "memory.swap.max"), swapStr);
            // Without swap accounting the file is missing: "max" and "0" are then what the cgroup has anyway.
            if (err != 0 && !(err == NRunc.Native.Errno.ENOENT && swapStr is "max" or "0"))
                CgroupFs.Write(dir, "memory.swap.max", swapStr);
        }
        if (Conversions.NumToStr(memory) is { } max)
        {
            CgroupFs.Write(dir, "memory.max", max);
        }
        if (Conversions.NumToStr(m.Reservation ?? 0) is { } low) CgroupFs.Write(dir, "memory.low", low);
        if (m.Kernel is not null and not 0 || m.KernelTcp is not null and not 0)
            CgroupLog.Debug("linux.resources.memory.kernel/kernelTCP are ignored on cgroup v2");
        if (m.Swappiness is not null) CgroupLog.Debug("linux.resources.memory.swappiness is ignored on cgroup v2");
        if (m.DisableOomKiller == true) CgroupLog.Debug("linux.resources.memory.disableOOMKiller is ignored on cgroup v2");
    }

    public static void Stat(string dir, CgroupStats s)
    {
        var raw = CgroupFs.TryRead(dir, "memory.stat");
        if (raw is null) return;
        var stat = Stats.StatParsers.FlatKeyed(raw);
        s.Memory.Raw = new SortedDictionary<string, ulong>(stat, StringComparer.Ordinal);
        s.Memory.Cache = stat.GetValueOrDefault("file");
        var usage = Entry(dir, "memory");
        var swap = Entry(dir, "memory.swap");
        s.Memory.SwapOnly = new MemoryEntry { Usage = swap.Usage, Limit = swap.Limit, Max = swap.Max, Failcnt = swap.Failcnt };
        if (CgroupFs.TryRead(dir, "memory.events") is { } events) s.Memory.Events = Stats.StatParsers.FlatKeyed(events);
        // v1 reports swap as memory+swap: do the same for compatibility (runc does).
        swap.Usage += usage.Usage;
        if (swap.Limit != ulong.MaxValue) swap.Limit += usage.Limit;
        s.Memory.Usage = usage;
        s.Memory.Swap = swap;
    }

    static MemoryEntry Entry(string dir, string prefix)
    {
        var e = new MemoryEntry();
        var cur = CgroupFs.TryRead(dir, prefix + ".current");
        if (cur is null) return e;
        e.Usage = ulong.TryParse(cur.Trim(), out var u) ? u : 0;
        var max = CgroupFs.TryRead(dir, prefix + ".max")?.Trim();
        e.Limit = max is null or "max" ? ulong.MaxValue : ulong.TryParse(max, out var l) ? l : 0;
        if (CgroupFs.TryRead(dir, prefix + ".peak") is { } peak && ulong.TryParse(peak.Trim(), out var p)) e.Max = p;
        if (CgroupFs.TryRead(dir, prefix + ".events") is { } ev) e.Failcnt = Stats.StatParsers.FlatKeyed(ev).GetValueOrDefault("max");
        return e;
    }
}
