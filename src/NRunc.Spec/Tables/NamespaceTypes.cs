namespace NRunc.Spec;

/// <summary>OCI namespace type names ↔ CLONE_* flags and /proc/PID/ns file names.</summary>
public static class NamespaceTypes
{
    public const string Cgroup = "cgroup", Ipc = "ipc", Mount = "mount", Network = "network",
        Pid = "pid", Time = "time", User = "user", Uts = "uts";

    public const int CLONE_NEWTIME = 0x00000080;
    public const int CLONE_NEWNS = 0x00020000;
    public const int CLONE_NEWCGROUP = 0x02000000;
    public const int CLONE_NEWUTS = 0x04000000;
    public const int CLONE_NEWIPC = 0x08000000;
    public const int CLONE_NEWUSER = 0x10000000;
    public const int CLONE_NEWPID = 0x20000000;
    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>All OCI namespace type names, sorted.</summary>
    public static readonly string[] Names = [Cgroup, Ipc, Mount, Network, Pid, Time, User, Uts];

    /// <summary>CLONE_* flag for an OCI type name, or 0 when unknown.</summary>
    public static int ToCloneFlag(string type) => type switch
    {
        Cgroup => CLONE_NEWCGROUP,
        Ipc => CLONE_NEWIPC,
        Mount => CLONE_NEWNS,
        Network => CLONE_NEWNET,
        Pid => CLONE_NEWPID,
        Time => CLONE_NEWTIME,
        User => CLONE_NEWUSER,
        Uts => CLONE_NEWUTS,
        _ => 0,
    };

    /// <summary>OCI type name for a single CLONE_NEW* flag, or null.</summary>
    public static string? FromCloneFlag(int flag) => flag switch
    {
        CLONE_NEWCGROUP => Cgroup,
        CLONE_NEWIPC => Ipc,
        CLONE_NEWNS => Mount,
        CLONE_NEWNET => Network,
        CLONE_NEWPID => Pid,
        CLONE_NEWTIME => Time,
        CLONE_NEWUSER => User,
        CLONE_NEWUTS => Uts,
        _ => null,
    };

    /// <summary>File name under /proc/PID/ns/ ("mnt" for mount, "net" for network), or null.</summary>
    public static string? ProcFileName(string type) => type switch
    {
        Mount => "mnt",
        Network => "net",
        Cgroup or Ipc or Pid or Time or User or Uts => type,
        _ => null,
    };

    public static bool IsKnown(string type) => ToCloneFlag(type) != 0;
}
