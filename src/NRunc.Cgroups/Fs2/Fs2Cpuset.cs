using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>cgroup v2 cpuset: cpuset.cpus and cpuset.mems (v2 inherits effective values, no copying needed).</summary>
internal static class Fs2Cpuset
{
    public static bool IsSet(LinuxCpu? c) => c is not null && (!string.IsNullOrEmpty(c.Cpus) || !string.IsNullOrEmpty(c.Mems));

    public static void Set(string dir, LinuxCpu c)
    {
        if (!string.IsNullOrEmpty(c.Cpus)) CgroupFs.Write(dir, "cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) CgroupFs.Write(dir, "cpuset.mems", c.Mems);
    }
}
