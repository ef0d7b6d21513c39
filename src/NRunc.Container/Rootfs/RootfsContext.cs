namespace NRunc.Container.Rootfs;

/// <summary>Everything the filesystem setup needs, built by init from the spec and the namespace plan.</summary>
public sealed class RootfsContext
{
    public required NRunc.Spec.Spec Spec { get; init; }
    /// <summary>Absolute host path of the bundle's root.path (symlinks are resolved by Prepare).</summary>
    public required string RootfsPath { get; init; }
    /// <summary>The bundle directory: relative bind-mount sources are taken relative to it (runc does the same).</summary>
    public string? BundlePath { get; init; }
    public bool NoPivot { get; init; }
    /// <summary>Devices are bind-mounted from the host instead of mknod; sysfs falls back to a bind of /sys.</summary>
    public bool NewUserNamespace { get; init; }
    /// <summary>Without a new network namespace sysfs is mounted read-only (as runc does).</summary>
    public bool NewNetworkNamespace { get; init; }
    /// <summary>With a new cgroup namespace cgroup filesystems are mounted directly instead of bind-mounted.</summary>
    public bool NewCgroupNamespace { get; init; }
    /// <summary>v1 controller (e.g. "memory", "name=systemd") → host dir of the container's cgroup; "" → the v2 dir.
    /// Missing entries fall back to the cgroup init is in (/proc/self/cgroup).</summary>
    public IReadOnlyDictionary<string, string> CgroupPaths { get; init; } = new Dictionary<string, string>();
    /// <summary>Create an empty /dev/console for the console code to bind the pty onto.</summary>
    public bool Terminal { get; init; }
    /// <summary>Optional detached mount fds (index in spec.mounts → fd from open_tree, e.g. id-mapped by the parent)
    /// attached with move_mount instead of mounting the source again.</summary>
    public IReadOnlyDictionary<int, int>? PreparedMountFds { get; init; }

    // State carried from Prepare to Finish.
    internal string ResolvedRootfs = "";
    internal bool DevReadonly;
}
