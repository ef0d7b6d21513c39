using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>cgroup v2 hugetlb: hugetlb.SIZE.max; stats from .current and the "max" count of .events.</summary>
internal static class Fs2Hugetlb
{
    public static void Set(string dir, List<LinuxHugepageLimit> limits)
    {
        foreach (var l in limits) CgroupFs.Write(dir, $"hugetlb.{l.PageSize}.max", Conversions.Str(l.Limit));
    }

    public static void Stat(string dir, CgroupStats s)
    {
        foreach (var size in Stats.StatParsers.HugePageSizes())
        {
            var cur = CgroupFs.TryRead(dir, $"hugetlb.{size}.current");
            if (cur is null) continue;
            var ev = CgroupFs.TryRead(dir, $"hugetlb.{size}.events");
            s.Hugetlb[size] = new HugetlbStats
            {
                Usage = ulong.TryParse(cur.Trim(), out var u) ? u : 0,
                Failcnt = ev is null ? 0 : Stats.StatParsers.FlatKeyed(ev).GetValueOrDefault("max"),
                Limit = CgroupFs.TryRead(dir, $"hugetlb.{size}.max")?.Trim() is { } max
                    ? (max == "max" ? ulong.MaxValue : ulong.TryParse(max, out var l) ? l : 0) : 0,
            };
        }
    }
}
