using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 blkio: weight (CFQ or BFQ file names), leaf weight, per-device weights, throttle lists.</summary>
internal static class FsBlkio
{
    public static bool IsSet(LinuxBlockIO? b) => b is not null && (b.Weight is not null and not 0 || b.LeafWeight is not null and not 0
        || b.WeightDevice is { Count: > 0 } || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
        || b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 });

    public static void Set(string dir, LinuxBlockIO b)
    {
        // BFQ exposes blkio.bfq.weight instead of CFQ's blkio.weight.
        bool bfq = CgroupFs.FileExists(dir, "blkio.bfq.weight");
        string weightFile = bfq ? "blkio.bfq.weight" : "blkio.weight";
        string weightDeviceFile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";

        if (b.Weight is { } w and not 0) CgroupFs.Write(dir, weightFile, Conversions.Str(w));
        if (b.LeafWeight is { } lw and not 0) CgroupFs.Write(dir, "blkio.leaf_weight", Conversions.Str(lw));
        if (b.WeightDevice is { } wds)
            foreach (var wd in wds)
            {
                if (wd.Weight is { } dw and not 0) CgroupFs.Write(dir, weightDeviceFile, $"{wd.Major}:{wd.Minor} {dw}");
                if (wd.LeafWeight is { } dlw and not 0) CgroupFs.Write(dir, "blkio.leaf_weight_device", $"{wd.Major}:{wd.Minor} {dlw}");
            }
        Throttle(dir, "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice);
        Throttle(dir, "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice);
        Throttle(dir, "blkio.throttle.read_iops_device", b.ThrottleReadIopsDevice);
        Throttle(dir, "blkio.throttle.write_iops_device", b.ThrottleWriteIopsDevice);
    }

    static void Throttle(string dir, string file, List<LinuxThrottleDevice>? list)
    {
        if (list is null) return;
        foreach (var t in list) CgroupFs.Write(dir, file, $"{t.Major}:{t.Minor} {t.Rate}");
    }

    /// <summary>
    /// CFQ's recursive files when present, else BFQ's, else the throttle counters; and, like runc, the throttle
    /// counters too when the scheduler's files hold no entries (BFQ on a device whose I/O it did not schedule).
    /// </summary>
    public static void Stat(string dir, CgroupStats s)
    {
        string prefix = CgroupFs.FileExists(dir, "blkio.io_serviced_recursive") ? "blkio."
            : CgroupFs.FileExists(dir, "blkio.bfq.io_serviced_recursive") ? "blkio.bfq."
            : "blkio.throttle.";
        StatFrom(dir, prefix, s);
        if (s.Blkio.IoServiceBytesRecursive is null && s.Blkio.IoServicedRecursive is null && prefix != "blkio.throttle.")
            StatFrom(dir, "blkio.throttle.", s);
    }

    static void StatFrom(string dir, string prefix, CgroupStats s)
    {
        s.Blkio.IoServiceBytesRecursive = Entries(dir, prefix + "io_service_bytes_recursive");
        s.Blkio.IoServicedRecursive = Entries(dir, prefix + "io_serviced_recursive");
        if (prefix == "blkio.")
        {
            s.Blkio.IoQueuedRecursive = Entries(dir, "blkio.io_queued_recursive");
            s.Blkio.IoServiceTimeRecursive = Entries(dir, "blkio.io_service_time_recursive");
            s.Blkio.IoWaitTimeRecursive = Entries(dir, "blkio.io_wait_time_recursive");
            s.Blkio.IoMergedRecursive = Entries(dir, "blkio.io_merged_recursive");
            s.Blkio.IoTimeRecursive = Entries(dir, "blkio.time_recursive");
            s.Blkio.SectorsRecursive = Entries(dir, "blkio.sectors_recursive");
        }
    }

    static List<BlkioEntry>? Entries(string dir, string file) =>
        CgroupFs.TryRead(dir, file) is { } t ? NullIfEmpty(Stats.StatParsers.BlkioEntries(t)) : null;

    static List<BlkioEntry>? NullIfEmpty(List<BlkioEntry> l) => l.Count == 0 ? null : l;
}
