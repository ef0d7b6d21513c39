using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 cpuacct: usage stats only (no limits).</summary>
internal static class FsCpuacct
{
    // cpuacct.stat counts USER_HZ ticks; 100 on every Linux architecture nrunc targets.
    const ulong NanosPerTick = 1_000_000_000 / 100;

    public static void Stat(string dir, CgroupStats s)
    {
        var total = CgroupFs.TryRead(dir, "cpuacct.usage");
        if (total is null) return;
        s.Cpu.Usage.Total = ulong.TryParse(total.Trim(), out var t) ? t : 0;
        if (CgroupFs.TryRead(dir, "cpuacct.usage_percpu") is { } percpu) s.Cpu.Usage.Percpu = Stats.StatParsers.Numbers(percpu);
        if (CgroupFs.TryRead(dir, "cpuacct.usage_all") is { } all)
        {
            var (user, kernel) = Stats.StatParsers.UsageAll(all);
            s.Cpu.Usage.PercpuUser = user;
            s.Cpu.Usage.PercpuKernel = kernel;
        }
        if (CgroupFs.TryRead(dir, "cpuacct.stat") is { } stat)
        {
            var st = Stats.StatParsers.FlatKeyed(stat);
            s.Cpu.Usage.User = st.GetValueOrDefault("user") * NanosPerTick;
            s.Cpu.Usage.Kernel = st.GetValueOrDefault("system") * NanosPerTick;
        }
    }
}
