namespace NRunc.Container.Operations;

/// <summary>
/// What nrunc really implements, for `nrunc features`. The one place to update when a capability lands or is found
/// broken: list only what create/run/exec apply, never what is merely parsed. Checked against the tree on
/// 2026-11-25: all six hooks run (prestart and createRuntime in create, createContainer and startContainer in init,
/// poststart in start, poststop in delete), all eight namespace types are created or joined, mount options come from
/// the rootfs code's option table, cgroup v1 and v2 (fs) drivers work; the systemd driver (system instance; tested in tests/vm with systemd as PID 1, v2 and v1); seccomp goes
/// through libseccomp, id-mapped mounts through mount_setattr.
/// </summary>
public static class ImplementedFeatures
{
    public static readonly string[] Hooks =
        ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

    /// <summary>The options Rootfs/MountOptions.cs turns into flags, propagation or attributes (sorted like runc's list).</summary>
    public static readonly string[] MountOptions =
    [
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap", "iversion", "lazytime",
        "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
        "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime",
        "remount", "rexec", "ridmap", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime",
        "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime",
        "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow",
        "sync", "tmpcopyup", "unbindable",
    ];

    public static readonly string[] Namespaces = ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"];

    public const bool CgroupV1 = true, CgroupV2 = true, CgroupSystemd = true, CgroupSystemdUser = false;

    public const bool Seccomp = true;
    public static IReadOnlyList<string> SeccompActions => NRunc.Seccomp.SeccompNames.Actions;
    public static IReadOnlyList<string> SeccompOperators => NRunc.Seccomp.SeccompNames.Operators;
    public static IReadOnlyList<string> SeccompFlags => NRunc.Seccomp.SeccompNames.Flags;

    /// <summary>The architectures the installed libseccomp knows; none when it cannot be loaded.</summary>
    public static IReadOnlyList<string> SeccompArchs()
    {
        try { return NRunc.Seccomp.SeccompNames.SupportedArchitectures(); }
        catch (Exception e) when (e is not OutOfMemoryException) { return []; }
    }

    public const bool IdmapMounts = true;
    public const bool NetDevices = true;

    /// <summary>linux.memoryPolicy modes and flags that Lifecycle/MemoryPolicy.cs maps to set_mempolicy(2).</summary>
    public static readonly string[] MemoryPolicyModes =
        ["MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"];
    public static readonly string[] MemoryPolicyFlags = ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"];
}
