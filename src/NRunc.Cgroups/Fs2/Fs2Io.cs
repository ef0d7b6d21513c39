using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>
/// cgroup v2 io: weight to io.bfq.weight when BFQ is there (per-device weights too), else io.weight converted from
/// the blkio range; throttle lists to io.max as "MAJ:MIN rbps=N" etc.
/// </summary>
internal static class Fs2Io
{
    public static void Set(string dir, LinuxBlockIO b)
    {
        bool bfq = CgroupFs.FileExists(dir, "io.bfq.weight");
        if (b.Weight is { } w and not 0)
        {
            if (bfq) CgroupFs.Write(dir, "io.bfq.weight", Conversions.Str(w));
            else CgroupFs.Write(dir, "io.weight", Conversions.Str(Conversions.BlkioWeightToIoWeight(w)));
        }
        if (b.LeafWeight is not null and not 0) CgroupLog.Debug("linux.resources.blockIO.leafWeight is ignored on cgroup v2");
        if (b.WeightDevice is { Count: > 0 } wds)
        {
            if (!bfq) throw new CgroupException("linux.resources.blockIO.weightDevice: per-device weights need the BFQ I/O scheduler (no io.bfq.weight)");
            foreach (var wd in wds)
                if (wd.Weight is { } dw and not 0) CgroupFs.Write(dir, "io.bfq.weight", $"{wd.Major}:{wd.Minor} {dw}");
        }
        Max(dir, "rbps", b.ThrottleReadBpsDevice);
        Max(dir, "wbps", b.ThrottleWriteBpsDevice);
        Max(dir, "riops", b.ThrottleReadIopsDevice);
        Max(dir, "wiops", b.ThrottleWriteIopsDevice);
    }

    static void Max(string dir, string key, List<LinuxThrottleDevice>? list)
    {
        if (list is null) return;
        foreach (var t in list) CgroupFs.Write(dir, "io.max", $"{t.Major}:{t.Minor} {key}={t.Rate}");
    }

    public static void Stat(string dir, CgroupStats s)
    {
        var t = CgroupFs.TryRead(dir, "io.stat");
        if (t is null) return;
        var (bytes, ios) = Stats.StatParsers.IoStat(t);
        if (bytes.Count > 0) s.Blkio.IoServiceBytesRecursive = bytes;
        if (ios.Count > 0) s.Blkio.IoServicedRecursive = ios;
    }
}
