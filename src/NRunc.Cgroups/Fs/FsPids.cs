using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 pids: pids.max (limit ≤ 0 means "max").</summary>
internal static class FsPids
{
    public static string Value(LinuxPids p) => p.Limit > 0 ? Conversions.Str(p.Limit) : "max";

    public static void Set(string dir, LinuxPids p) => CgroupFs.Write(dir, "pids.max", Value(p));

    public static void Stat(string dir, CgroupStats s)
    {
        var cur = CgroupFs.TryRead(dir, "pids.current");
        if (cur is null) return;
        s.Pids.Current = ulong.TryParse(cur.Trim(), out var c) ? c : 0;
        var max = CgroupFs.TryRead(dir, "pids.max")?.Trim();
        s.Pids.Limit = max is null or "max" ? 0 : ulong.TryParse(max, out var m) ? m : 0;
    }
}
