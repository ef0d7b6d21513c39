using NRunc.Cgroups.Common;
using NRunc.Cgroups.Fs;
using NRunc.Cgroups.Fs2;

namespace NRunc.Cgroups;

/// <summary>
/// The cgroup(s) a running process is in, for reading stats of a container whose runtime may not be nrunc (the shim
/// also drives runc through BinaryName): /proc/PID/cgroup, seen from the host's cgroup namespace, mapped through
/// this host's mounts. Costs one statfs and one or two small reads; the manager is never used to create or set.
/// </summary>
public static class ProcessCgroups
{
    /// <summary>Null when the process is gone or is in no cgroup this host mounts.</summary>
    public static ICgroupManager? Of(int pid)
    {
        var text = CgroupFs.TryRead($"/proc/{pid}/cgroup", out _);
        if (text is null) return null;
        var own = CgroupMounts.ParseProcCgroup(text);
        if (CgroupHost.IsUnified())
            return own.TryGetValue("", out var p) ? new Fs2Manager(CgroupPath.Join(CgroupHost.Root, p)) : null;
        var paths = V1Paths(own, CgroupHost.V1Mounts());
        return paths.Count == 0 ? null : new FsManager(paths);
    }

    /// <summary>Each v1 controller's dir: its /proc/PID/cgroup path under the mount of its hierarchy (pure).</summary>
    public static Dictionary<string, string> V1Paths(IReadOnlyDictionary<string, string> procCgroup,
        IReadOnlyDictionary<string, CgroupMount> mounts)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (controller, path) in procCgroup)
            if (controller.Length > 0 && mounts.TryGetValue(controller, out var m))
                paths[controller] = CgroupPath.Join(m.Mountpoint, CgroupPath.RelativeTo(m.Root, path));
        return paths;
    }
}
