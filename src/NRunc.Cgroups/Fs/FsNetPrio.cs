using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 net_prio: one "ifname prio" line per interface to net_prio.ifpriomap.</summary>
internal static class FsNetPrio
{
    public static void Set(string dir, List<LinuxInterfacePriority> prios)
    {
        foreach (var p in prios) CgroupFs.Write(dir, "net_prio.ifpriomap", $"{p.Name} {p.Priority}");
    }
}
