using NRunc.Cgroups.Stats;
using NRunc.Spec;

namespace NRunc.Cgroups.Systemd;

/// <summary>
/// linux.resources as the unit properties systemd knows (what runc sets): memory, cpu weight/shares and quota, tasks,
/// allowed cpus and memory nodes. The fs driver then writes every limit itself as well (and the ones systemd has no
/// property for), so systemd's view and the cgroup files agree. Device rules: <see cref="DeviceProperties"/>.
/// </summary>
public static class UnitProperties
{
    /// <summary>The properties of a new scope: where it goes, delegation, accounting, the first pid, the limits.</summary>
    public static List<UnitProperty> ForNewScope(string id, SystemdUnitPath path, int pid, bool unified, LinuxResources? r)
    {
        var list = new List<UnitProperty>
        {
            UnitProperty.String("Description", "nrunc container " + id),
            UnitProperty.Bool("Delegate", true),
            UnitProperty.Bool("DefaultDependencies", false),
            UnitProperty.Bool("MemoryAccounting", true),
            UnitProperty.Bool("CPUAccounting", true),
            UnitProperty.Bool(unified ? "IOAccounting" : "BlockIOAccounting", true),
            UnitProperty.Bool("TasksAccounting", true),
            UnitProperty.Pids((uint)pid),
        };
        if (path.Unit.EndsWith(".scope", StringComparison.Ordinal)) list.Insert(1, UnitProperty.String("Slice", path.Slice));
        list.AddRange(ForResources(r, unified));
        return list;
    }

    public static List<UnitProperty> ForResources(LinuxResources? r, bool unified)
    {
        var list = new List<UnitProperty>();
        if (r is null) return list;
        if (r.Memory?.Limit is long limit && limit != 0)
            list.Add(UnitProperty.UInt64(unified ? "MemoryMax" : "MemoryLimit", limit < 0 ? ulong.MaxValue : (ulong)limit));
        if (r.Cpu is { } cpu)
        {
            if (cpu.Shares is ulong shares and not 0)
                list.Add(unified ? UnitProperty.UInt64("CPUWeight", Common.Conversions.CpuSharesToWeight(shares)) : UnitProperty.UInt64("CPUShares", shares));
            long quota = cpu.Quota ?? 0;
            ulong period = cpu.Period ?? 0;
            // systemd has the period since v242; every systemd this runs with is newer
            if (period != 0) list.Add(UnitProperty.UInt64("CPUQuotaPeriodUSec", period));
            if (quota != 0 || period != 0)
            {
                // systemd takes the quota per second, in 1% (10 ms) steps: round up, as runc does; no quota is infinity
                var perSec = ulong.MaxValue;
                if (quota > 0)
                {
                    var p = period == 0 ? 100_000UL : period;
                    perSec = ((ulong)quota * 1_000_000 / p + 9_999) / 10_000 * 10_000;
                }
                list.Add(UnitProperty.UInt64("CPUQuotaPerSecUSec", perSec));
            }
            // systemd manages cpusets only on the unified hierarchy; on v1 the fs driver writes them
            if (unified && !string.IsNullOrEmpty(cpu.Cpus)) list.Add(UnitProperty.Bytes("AllowedCPUs", Bitmask(cpu.Cpus, "linux.resources.cpu.cpus")));
            if (unified && !string.IsNullOrEmpty(cpu.Mems)) list.Add(UnitProperty.Bytes("AllowedMemoryNodes", Bitmask(cpu.Mems, "linux.resources.cpu.mems")));
        }
        if (r.Pids is { } pids)
            list.Add(UnitProperty.UInt64("TasksMax", pids.Limit <= 0 ? ulong.MaxValue : (ulong)pids.Limit));
        return list;
    }

    /// <summary>"0-2,5" → the byte mask systemd wants (bit n of byte n/8 for cpu n).</summary>
    public static byte[] Bitmask(string list, string what)
    {
        List<ushort> cpus;
        try { cpus = StatParsers.CpuList(list); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        { throw new CgroupException($"{what}: invalid list {Common.CgroupFs.Quote(list)}"); }
        if (cpus.Count == 0) throw new CgroupException($"{what}: invalid list {Common.CgroupFs.Quote(list)}");
        var mask = new byte[cpus.Max() / 8 + 1];
        foreach (var c in cpus) mask[c / 8] |= (byte)(1 << (c % 8));
        return mask;
    }
}
