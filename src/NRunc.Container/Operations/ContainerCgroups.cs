using NRunc.Cgroups;
using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>The one place the non-process verbs get a container's cgroup manager from its stored paths.</summary>
public static class ContainerCgroups
{
    public static bool Has(ContainerRecord r) => r.CgroupPaths.Count > 0;

    public static ICgroupManager Open(ContainerRecord r)
    {
        if (!Has(r)) throw new ContainerException($"container {r.Id} has no cgroup" + (r.Rootless
            ? " (rootless: no cgroup was writable; delegate one to the user and name it in linux.cgroupsPath)" : ""));
        return CgroupManagerFactory.FromPaths(r.CgroupPaths, r.SystemdCgroup);
    }
}
