using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 devices: the rules are written one per write, in order, to devices.deny/devices.allow.</summary>
internal static class FsDevices
{
    public static void Set(string dir, IReadOnlyList<DeviceRule> rules)
    {
        foreach (var r in rules)
            CgroupFs.Write(dir, r.Allow ? "devices.allow" : "devices.deny", r.Line);
    }
}
