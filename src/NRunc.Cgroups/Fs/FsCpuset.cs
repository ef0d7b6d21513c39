using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 cpuset: cpus and mems; new dirs inherit the parent's values (the kernel leaves them empty).</summary>
internal static class FsCpuset
{
    public static bool IsSet(LinuxCpu? c) => c is not null && (!string.IsNullOrEmpty(c.Cpus) || !string.IsNullOrEmpty(c.Mems));

    /// <summary>
    /// Fills empty cpuset.cpus/mems from the parent, from the top of <paramref name="dir"/> down: a task cannot join
    /// a cpuset without cpus and mems.
    /// </summary>
    public static void InheritParent(string mountpoint, string dir)
    {
        if (dir.Length <= mountpoint.Length) return;
        int slash = dir.LastIndexOf('/');
        var parent = dir[..slash];
        InheritParent(mountpoint, parent);
        foreach (var f in (ReadOnlySpan<string>)["cpuset.cpus", "cpuset.mems"])
        {
            var cur = CgroupFs.Read(dir, f).Trim();
            if (cur.Length != 0) continue;
            var p = CgroupFs.Read(parent, f).Trim();
            if (p.Length != 0) CgroupFs.Write(dir, f, p);
        }
    }

    public static void Set(string dir, LinuxCpu c)
    {
        if (!string.IsNullOrEmpty(c.Cpus)) CgroupFs.Write(dir, "cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) CgroupFs.Write(dir, "cpuset.mems", c.Mems);
    }

    public static void Stat(string dir, CgroupStats s)
    {
        var cpus = CgroupFs.TryRead(dir, "cpuset.cpus");
        if (cpus is null) return;
        var c = s.Cpuset;
        c.Cpus = Stats.StatParsers.CpuList(cpus);
        c.Mems = Stats.StatParsers.CpuList(CgroupFs.TryRead(dir, "cpuset.mems") ?? "");
        c.CpuExclusive = U(dir, "cpuset.cpu_exclusive");
        c.MemHardwall = U(dir, "cpuset.mem_hardwall");
        c.MemExclusive = U(dir, "cpuset.mem_exclusive");
        c.MemoryMigrate = U(dir, "cpuset.memory_migrate");
        c.MemorySpreadPage = U(dir, "cpuset.memory_spread_page");
        c.MemorySpreadSlab = U(dir, "cpuset.memory_spread_slab");
        c.MemoryPressure = U(dir, "cpuset.memory_pressure");
        c.SchedLoadBalance = U(dir, "cpuset.sched_load_balance");
        c.SchedRelaxDomainLevel = long.TryParse(CgroupFs.TryRead(dir, "cpuset.sched_relax_domain_level")?.Trim(), out var l) ? l : 0;
    }

    static ulong U(string dir, string f) => ulong.TryParse(CgroupFs.TryRead(dir, f)?.Trim(), out var v) ? v : 0;
}
