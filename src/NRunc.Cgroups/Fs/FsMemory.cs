using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 memory: limit_in_bytes, memsw.limit_in_bytes, soft_limit_in_bytes, swappiness, oom_control.</summary>
internal static class FsMemory
{
    const string Limit = "memory.limit_in_bytes", Swap = "memory.memsw.limit_in_bytes";

    public static bool IsSet(LinuxMemory? m) => m is not null && (m.Limit is not null and not 0 || m.Swap is not null and not 0
        || m.Reservation is not null and not 0 || m.DisableOomKiller == true || m.Swappiness is not null || m.KernelTcp is not null and not 0);

    public static void Set(string dir, LinuxMemory m)
    {
        long memory = m.Limit ?? 0, swap = m.Swap ?? 0;
        // Unlimited memory with no swap given means unlimited swap too (if the kernel accounts swap at all).
        if (memory == -1 && swap == 0 && CgroupFs.FileExists(dir, Swap)) swap = -1;

        // The kernel requires memsw >= limit at every moment, so the order of the two writes depends on whether the
        // limits go up or down.
        if (memory != 0 && swap != 0)
        {
            ulong cur = CgroupFs.ReadUInt(dir, Limit);
            if (swap == -1 || cur < (ulong)swap) { SetSwap(dir, swap); SetMemory(dir, memory); }
            else { SetMemory(dir, memory); SetSwap(dir, swap); }
        }
        else { SetMemory(dir, memory); SetSwap(dir, swap); }

        if (m.Kernel is not null and not 0) CgroupLog.Debug("linux.resources.memory.kernel is deprecated and ignored");
        if (m.KernelTcp is not null and not 0) CgroupLog.Debug("linux.resources.memory.kernelTCP is deprecated and ignored");

        if (m.Reservation is { } r and not 0) CgroupFs.Write(dir, "memory.soft_limit_in_bytes", Conversions.Str(r));
        if (m.DisableOomKiller == true) CgroupFs.Write(dir, "memory.oom_control", "1");
        if (m.Swappiness is { } sw)
        {
            if (sw > 100) throw new CgroupException($"linux.resources.memory.swappiness: invalid value {sw}: valid memory swappiness range is 0-100");
            CgroupFs.Write(dir, "memory.swappiness", Conversions.Str(sw));
        }
        if (m.UseHierarchy is not null) CgroupLog.Debug("linux.resources.memory.useHierarchy is ignored (always on in current kernels)");
    }

    static void SetMemory(string dir, long v)
    {
        if (v == 0) return;
        try { CgroupFs.Write(dir, Limit, Conversions.Str(v)); }
        catch (CgroupException e) when (e.Errno == NRunc.Native.Errno.EBUSY)
        {
            // EBUSY: the new limit is below the current usage.
            var usage = CgroupFs.ReadUInt(dir, "memory.usage_in_bytes");
            var max = CgroupFs.ReadUInt(dir, "memory.max_usage_in_bytes");
            throw new CgroupException($"unable to set memory limit to {v} (current usage: {usage}, peak usage: {max})", e.Errno, e);
        }
        catch (CgroupException e) when (e.Errno == NRunc.Native.Errno.EINVAL && v > 0 && CgroupFs.FileExists(dir, Swap)
            && CgroupFs.ReadUInt(dir, Swap) is var memsw && (ulong)v > memsw)
        {
            // EINVAL: v1 keeps memory <= memory+swap at every moment.
            throw new CgroupException($"unable to set memory limit to {v}: above the memory+swap limit {memsw} (raise linux.resources.memory.swap, update --memory-swap, too)", e.Errno, e);
        }
    }

    static void SetSwap(string dir, long v)
    {
        if (v == 0) return;
        CgroupFs.Write(dir, Swap, Conversions.Str(v));
    }

    public static void Stat(string dir, CgroupStats s)
    {
        var raw = CgroupFs.TryRead(dir, "memory.stat");
        if (raw is null) return; // controller dir gone
        var stat = Stats.StatParsers.FlatKeyed(raw);
        s.Memory.Raw = new SortedDictionary<string, ulong>(stat, StringComparer.Ordinal);
        s.Memory.Cache = stat.GetValueOrDefault("cache");
        s.Memory.Usage = Entry(dir, "memory");
        s.Memory.Swap = Entry(dir, "memory.memsw");
        s.Memory.Kernel = Entry(dir, "memory.kmem");
        s.Memory.KernelTcp = Entry(dir, "memory.kmem.tcp");
        if (CgroupFs.TryRead(dir, "memory.oom_control") is { } oom) s.Memory.Events = Stats.StatParsers.FlatKeyed(oom);
    }

    static MemoryEntry Entry(string dir, string prefix)
    {
        var e = new MemoryEntry();
        if (!CgroupFs.FileExists(dir, prefix + ".limit_in_bytes")) return e;
        e.Usage = ReadOr0(dir, prefix + ".usage_in_bytes");
        e.Max = ReadOr0(dir, prefix + ".max_usage_in_bytes");
        e.Failcnt = ReadOr0(dir, prefix + ".failcnt");
        e.Limit = ReadOr0(dir, prefix + ".limit_in_bytes");
        return e;
    }

    static ulong ReadOr0(string dir, string file)
    {
        var t = CgroupFs.TryRead(dir, file);
        return t is not null && ulong.TryParse(t.Trim(), out var v) ? v : 0;
    }
}
