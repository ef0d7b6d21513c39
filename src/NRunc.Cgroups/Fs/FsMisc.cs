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
            };
        }
    }
}

/// <summary>cgroup v1 net_cls: net_cls.classid.</summary>
internal static class FsNetCls
{
    public static void Set(string dir, uint classId) => CgroupFs.Write(dir, "net_cls.classid", Conversions.Str(classId));
}

/// <summary>cgroup v1 net_prio: one "ifname prio" line per interface to net_prio.ifpriomap.</summary>
internal static class FsNetPrio
{
    public static void Set(string dir, List<LinuxInterfacePriority> prios)
    {
        foreach (var p in prios) CgroupFs.Write(dir, "net_prio.ifpriomap", $"{p.Name} {p.Priority}");
    }
}

/// <summary>rdma (v1 and v2 share the format): "dev hca_handle=N hca_object=M" lines to rdma.max.</summary>
internal static class Rdma
{
    public static void Set(string dir, Dictionary<string, LinuxRdma> rdma)
    {
        foreach (var (dev, l) in rdma)
        {
            var line = dev;
            if (l.HcaHandles is { } h) line += " hca_handle=" + Conversions.Str(h);
            if (l.HcaObjects is { } o) line += " hca_object=" + Conversions.Str(o);
            CgroupFs.Write(dir, "rdma.max", line);
        }
    }
}
