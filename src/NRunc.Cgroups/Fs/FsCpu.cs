using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 cpu: rt_period/rt_runtime, shares, cfs_period/cfs_quota, cfs_burst, idle; throttling stats.</summary>
internal static class FsCpu
{
    public static bool IsSet(LinuxCpu? c) => c is not null && (c.Shares is not null and not 0 || c.Quota is not null and not 0
        || c.Period is not null and not 0 || c.Burst is not null || c.RealtimePeriod is not null and not 0
        || c.RealtimeRuntime is not null and not 0 || c.Idle is not null);

    public static void Set(string dir, LinuxCpu c)
    {
        // Realtime first: a task with an RT policy can only enter a cgroup that has RT runtime.
        if (c.RealtimePeriod is { } rtp and not 0) CgroupFs.Write(dir, "cpu.rt_period_us", Conversions.Str(rtp));
        if (c.RealtimeRuntime is { } rtr and not 0) CgroupFs.Write(dir, "cpu.rt_runtime_us", Conversions.Str(rtr));

        if (c.Shares is { } shares and not 0)
        {
            CgroupFs.Write(dir, "cpu.shares", Conversions.Str(shares));
            // The kernel clamps out-of-range shares silently; runc reports it.
            var got = CgroupFs.ReadUInt(dir, "cpu.shares");
            if (shares > got) throw new CgroupException($"linux.resources.cpu.shares: the maximum allowed cpu-shares is {got}");
            if (shares < got) throw new CgroupException($"linux.resources.cpu.shares: the minimum allowed cpu-shares is {got}");
        }

        long quota = c.Quota ?? 0;
        string? pendingPeriod = null;
        if (c.Period is { } period and not 0)
        {
            var p = Conversions.Str(period);
            int err = CgroupFs.TryWrite(CgroupFs.Join(dir, "cpu.cfs_period_us"), p);
            // A smaller period can be refused (EINVAL) while the old quota/new period exceeds the parent's limit;
            // when a quota follows, retry after writing it.
            if (err == NRunc.Native.Errno.EINVAL && quota != 0) pendingPeriod = p;
            else if (err != 0) CgroupFs.Write(dir, "cpu.cfs_period_us", p); // rethrows with the message
        }
        if (quota != 0)
        {
            CgroupFs.Write(dir, "cpu.cfs_quota_us", Conversions.Str(quota));
            if (pendingPeriod is not null) CgroupFs.Write(dir, "cpu.cfs_period_us", pendingPeriod);
        }
        if (c.Burst is { } burst)
        {
            if (!CgroupFs.FileExists(dir, "cpu.cfs_burst_us"))
                throw new CgroupException("linux.resources.cpu.burst: not supported by this kernel (no cpu.cfs_burst_us)");
            CgroupFs.Write(dir, "cpu.cfs_burst_us", Conversions.Str(burst));
        }
        if (c.Idle is { } idle) CgroupFs.Write(dir, "cpu.idle", Conversions.Str(idle));
    }

    public static void Stat(string dir, CgroupStats s)
    {
        var t = CgroupFs.TryRead(dir, "cpu.stat");
        if (t is null) return;
        var st = Stats.StatParsers.FlatKeyed(t);
        s.Cpu.Throttling.Periods = st.GetValueOrDefault("nr_periods");
        s.Cpu.Throttling.ThrottledPeriods = st.GetValueOrDefault("nr_throttled");
        s.Cpu.Throttling.ThrottledTime = st.GetValueOrDefault("throttled_time");
    }
}
