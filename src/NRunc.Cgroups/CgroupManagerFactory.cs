using NRunc.Cgroups.Common;
using NRunc.Cgroups.Fs;
using NRunc.Cgroups.Fs2;
using NRunc.Cgroups.Systemd;

namespace NRunc.Cgroups;

/// <summary>Picks the driver for this host and resolves the container's cgroup path(s).</summary>
public static class CgroupManagerFactory
{
    /// <summary>
    /// The container's cgroups from linux.cgroupsPath: absolute → under each hierarchy's root; relative → under
    /// this process's own cgroup (v2: its parent), as runc does. Absent → "/&lt;id&gt;".
    /// Costs one statfs and, on v1, one read of /proc/self/mountinfo (plus /proc/self/cgroup for relative paths).
    /// </summary>
    public static ICgroupManager ForContainer(string id, string? cgroupsPath, bool systemd, bool rootless)
    {
        if (systemd)
        {
            var unit = SystemdUnitPath.Parse(id, cgroupsPath);
            return SystemdManager.ForNew(id, unit, ForInnerPath(unit.CgroupPath, rootless, requireWritable: true));
        }
        if (IsSystemdForm(cgroupsPath))
            throw new CgroupException($"linux.cgroupsPath: {CgroupFs.Quote(cgroupsPath!)} is in the systemd form slice:prefix:name, but --systemd-cgroup was not given");
        // Rootless skips cgroups it cannot write only when none was asked for by name (runc's rule).
        return ForInnerPath(InnerPath(id, cgroupsPath), rootless, requireWritable: !string.IsNullOrEmpty(cgroupsPath));
    }

    static ICgroupManager ForInnerPath(string inner, bool rootless, bool requireWritable)
    {
        if (CgroupHost.IsUnified())
            return new Fs2Manager(Fs2Manager.ResolvePath(inner, () => CgroupHost.OwnCgroups().GetValueOrDefault("", "/")), rootless, requireWritable);
        var mounts = CgroupHost.V1Mounts();
        var paths = FsManager.ResolvePaths(inner, mounts, CgroupHost.OwnCgroups);
        var mountpoints = paths.Keys.ToDictionary(k => k, k => mounts[k].Mountpoint, StringComparer.Ordinal);
        return new FsManager(paths, mountpoints, rootless, requireWritable);
    }

    /// <summary>A manager for a container created earlier, from the paths persisted in its state.</summary>
    public static ICgroupManager FromPaths(IReadOnlyDictionary<string, string> paths, bool systemd)
    {
        ICgroupManager fs = paths.Count == 1 && paths.TryGetValue("", out var dir) ? new Fs2Manager(dir)
            : new FsManager(new Dictionary<string, string>(paths, StringComparer.Ordinal));
        return systemd ? SystemdManager.FromExisting(fs) : fs;
    }

    /// <summary>
    /// The cgroup path below the hierarchy roots. Without cgroupsPath runc uses "&lt;own cgroup&gt;/&lt;id&gt;"; nrunc uses
    /// the absolute "/&lt;id&gt;" instead, because the caller's own cgroup can belong to a supervisor (on the development
    /// machines it is a memory cgroup of the agent that runs us, which must not get children).
    /// </summary>
    public static string InnerPath(string id, string? cgroupsPath) =>
        string.IsNullOrEmpty(cgroupsPath) ? "/" + id : CgroupPath.CleanCgroupsPath(cgroupsPath);

    /// <summary>"slice:prefix:name" (no slash, two colons) is the systemd driver's form.</summary>
    public static bool IsSystemdForm(string? p) =>
        p is not null && !p.StartsWith('/') && p.Count(c => c == ':') == 2;
}
