using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// The container's namespaces from linux.namespaces: which are new (clone flags to unshare) and which are joined
/// (fds opened here, checked to be of the declared type, joined by the cloned child with setns).
/// </summary>
public sealed class NamespacePlan : IDisposable
{
    public const int CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
        CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    /// <summary>Join order: user first (it grants the rights for the others), mount last (it changes path lookup).</summary>
    static readonly int[] JoinOrder = [CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS];

    public int NewFlags { get; private set; }
    public List<(int Flag, int Fd, string Path)> Joins { get; } = [];

    public bool Has(int flag) => (NewFlags & flag) != 0 || Joins.Exists(j => j.Flag == flag);
    public bool IsNew(int flag) => (NewFlags & flag) != 0;

    public static int FlagOf(string type) => type switch
    {
        "pid" => CLONE_NEWPID, "network" => CLONE_NEWNET, "mount" => CLONE_NEWNS, "ipc" => CLONE_NEWIPC,
        "uts" => CLONE_NEWUTS, "user" => CLONE_NEWUSER, "cgroup" => CLONE_NEWCGROUP, "time" => CLONE_NEWTIME,
        _ => 0,
    };

    public static NamespacePlan From(NRunc.Spec.Spec spec)
    {
        var plan = new NamespacePlan();
        try
        {
            var list = spec.Linux?.Namespaces ?? [];
            for (int i = 0; i < list.Count; i++)
            {
                var ns = list[i];
                int flag = FlagOf(ns.Type);
                if (string.IsNullOrEmpty(ns.Path)) { plan.NewFlags |= flag; continue; }
                plan.Joins.Add((flag, OpenNamespace(ns.Path, flag, $"linux.namespaces[{i}]"), ns.Path));
            }
            plan.Joins.Sort((a, b) => Array.IndexOf(JoinOrder, a.Flag).CompareTo(Array.IndexOf(JoinOrder, b.Flag)));
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    static unsafe int OpenNamespace(string path, int flag, string where)
    {
        int fd;
        fixed (byte* p = Utf8.Z(path)) fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC_FLAG, 0);
        if (fd < 0)
            throw new ContainerException($"{where}.path: open {path}: {Errno.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        int type = Libc.ioctl_noarg(fd, Libc.NS_GET_NSTYPE);
        if (type != flag)
        {
            Libc.close(fd);
            throw new ContainerException($"{where}.path: {path} is not a {TypeName(flag)} namespace");
        }
        return fd;
    }

    public static string TypeName(int flag) => flag switch
    {
        CLONE_NEWPID => "pid", CLONE_NEWNET => "network", CLONE_NEWNS => "mount", CLONE_NEWIPC => "ipc",
        CLONE_NEWUTS => "uts", CLONE_NEWUSER => "user", CLONE_NEWCGROUP => "cgroup", CLONE_NEWTIME => "time", _ => "?",
    };

    public void Dispose()
    {
        foreach (var j in Joins) Libc.close(j.Fd);
        Joins.Clear();
    }
}
