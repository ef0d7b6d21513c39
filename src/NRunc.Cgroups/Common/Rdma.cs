using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Common;

/// <summary>
/// rdma (v1 and v2 share the format): "dev hca_handle=N hca_object=M" lines to rdma.max; stats from the same lines
/// in rdma.current and rdma.max.
/// </summary>
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

    public static void Stat(string dir, CgroupStats s)
    {
        var current = CgroupFs.TryRead(dir, "rdma.current");
        var max = CgroupFs.TryRead(dir, "rdma.max");
        if (current is null && max is null) return;
        s.Rdma = new RdmaStats { Current = Stats.StatParsers.RdmaEntries(current ?? ""), Limit = Stats.StatParsers.RdmaEntries(max ?? "") };
    }
}
