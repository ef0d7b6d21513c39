using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 hugetlb: hugetlb.SIZE.limit_in_bytes; stats per supported page size.</summary>
internal static class FsHugetlb
{
    public static void Set(string dir, List<LinuxHugepageLimit> limits)
    {
        foreach (var l in limits)
            CgroupFs.Write(dir, $"hugetlb.{l.PageSize}.limit_in_bytes", Conversions.Str(l.Limit));
    }

    public static void Stat(string dir, CgroupStats s)
    {
        foreach (var size in Stats.StatParsers.HugePageSizes())
        {
            var usage = CgroupFs.TryRead(dir, $"hugetlb.{size}.usage_in_bytes");
            if (usage is null) continue;
            s.Hugetlb[size] = new HugetlbStats
            {
                Usage = ulong.TryParse(usage.Trim(), out var u) ? u : 0,
                Max = ulong.TryParse(CgroupFs.TryRead(dir, $"hugetlb.{size}.max_usage_in_bytes")?.Trim(), out var m) ? m : 0,
                Failcnt = ulong.TryParse(CgroupFs.TryRead(dir, $"hugetlb.{size}.failcnt")?.Trim(), out var f) ? f : 0,
                Limit = ulong.TryParse(CgroupFs.TryRead(dir, $"hugetlb.{size}.limit_in_bytes")?.Trim(), out var l) ? l : 0,
            };
        }
    }
}
