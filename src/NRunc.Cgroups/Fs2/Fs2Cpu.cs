using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>cgroup v2 cpu: cpu.weight (converted from shares), cpu.max "quota period", cpu.max.burst, cpu.idle.</summary>
internal static class Fs2Cpu
{
    public static bool IsSet(LinuxCpu? c) => c is not null && (c.Shares is not null and not 0 || c.Quota is not null and not 0
        || c.Period is not null and not 0 || c.Burst is not null || c.Idle is not null
        || c.RealtimePeriod is not null and not 0 || c.RealtimeRuntime is not null and not 0);

    /// <summary>cpu.max's value, or null when neither quota nor period is set.</summary>
    public static string? MaxValue(long quota, ulong period)
    {
        if (quota == 0 && period == 0) return null;
        var s = quota > 0 ? Conversions.Str(quota) : "max";
        if (period != 0) s += " " + Conversions.Str(period);
        return s;
    }

    public static void Set(string dir, LinuxCpu c)
    {
        // v2 has no realtime group scheduling; runc ignores these fields there too.
        if (c.RealtimePeriod is not null and not 0 || c.RealtimeRuntime is not null and not 0)
            CgroupLog.Debug("linux.resources.cpu.realtimePeriod/realtimeRuntime are ignored on cgroup v2");
        if (c.Shares is { } shares and not 0)
        {
            // Outside v1's range the conversion gives no valid cpu.weight (runc's underflows to an ERANGE write).
            if (shares is < 2 or > 262144)
                throw new CgroupException($"linux.resources.cpu.shares: {shares} is out of range: cpu shares are 2-262144 (cpu.weight 1-10000 on cgroup v2)");
            CgroupFs.Write(dir, "cpu.weight", Conversions.Str(Conversions.CpuSharesToWeight(shares)));
        }
        if (MaxValue(c.Quota ?? 0, c.Period ?? 0) is { } max) CgroupFs.Write(dir, "cpu.max", max);
        if (c.Burst is { } burst) CgroupFs.Write(dir, "cpu.max.burst", Conversions.Str(burst));
        if (c.Idle is { } idle) CgroupFs.Write(dir, "cpu.idle", Conversions.Str(idle));
    }

    public static void Stat(string dir, CgroupStats s)
    {
        var t = CgroupFs.TryRead(dir, "cpu.stat");
        if (t is null) return;
        var st = Stats.StatParsers.FlatKeyed(t);
        s.Cpu.Usage.Total = st.GetValueOrDefault("usage_usec") * 1000;
        s.Cpu.Usage.User = st.GetValueOrDefault("user_usec") * 1000;
        s.Cpu.Usage.Kernel = st.GetValueOrDefault("system_usec") * 1000;
        s.Cpu.Throttling.Periods = st.GetValueOrDefault("nr_periods");
        s.Cpu.Throttling.ThrottledPeriods = st.GetValueOrDefault("nr_throttled");
        s.Cpu.Throttling.ThrottledTime = st.GetValueOrDefault("throttled_usec") * 1000;
    }
}
