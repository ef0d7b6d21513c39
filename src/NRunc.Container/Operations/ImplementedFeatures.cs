namespace NRunc.Container.Operations;

/// <summary>
/// What nrunc really implements, for `nrunc features`. The one place to update when a capability lands:
/// list only what works end to end, never what is merely parsed.
/// </summary>
public static class ImplementedFeatures
{
    public static readonly string[] Hooks = [];

    public static readonly string[] MountOptions = [];

    public static readonly string[] Namespaces = [];

    public const bool CgroupV1 = false, CgroupV2 = false, CgroupSystemd = false, CgroupSystemdUser = false;

    public const bool Seccomp = false;
    public static readonly string[] SeccompActions = [];
    public static readonly string[] SeccompOperators = [];
    public static readonly string[] SeccompArchs = [];
    public static readonly string[] SeccompFlags = [];

    public const bool IdmapMounts = false;
}
