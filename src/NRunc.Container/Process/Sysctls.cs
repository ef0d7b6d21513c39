using NRunc.Native;
using NRunc.Spec;

namespace NRunc.Container.Process;

/// <summary>Which namespaces of the container are its own, as far as sysctls care.</summary>
/// <param name="Ipc">linux.namespaces has "ipc" (new or joined).</param>
/// <param name="PrivateNet">The container's network namespace is not the caller's (new, or a joined path that is not ours).</param>
/// <param name="Uts">linux.namespaces has "uts".</param>
public readonly record struct SysctlNamespaces(bool Ipc, bool PrivateNet, bool Uts)
{
    /// <summary>From linux.namespaces; a joined netns path is compared with /proc/self/ns/net (runc's "host" means "current").</summary>
    public static unsafe SysctlNamespaces FromSpec(Linux? linux)
    {
        bool ipc = false, net = false, uts = false;
        foreach (var ns in linux?.Namespaces ?? [])
        {
            switch (ns.Type)
            {
                case "ipc": ipc = true; break;
                case "uts": uts = true; break;
                case "network":
                    net = string.IsNullOrEmpty(ns.Path) || !SameFile(ns.Path, "/proc/self/ns/net");
                    break;
            }
        }
        return new SysctlNamespaces(ipc, net, uts);
    }

    static unsafe bool SameFile(string a, string b)
    {
        Libc.Statx sa, sb;
        fixed (byte* pa = Utf8.Z(a))
            NativeException.Check(Libc.statx(Libc.AT_FDCWD, pa, 0, Libc.STATX_BASIC_STATS, &sa), "stat", a);
        fixed (byte* pb = Utf8.Z(b))
            NativeException.Check(Libc.statx(Libc.AT_FDCWD, pb, 0, Libc.STATX_BASIC_STATS, &sb), "stat", b);
        return sa.stx_ino == sb.stx_ino && sa.stx_dev_major == sb.stx_dev_major && sa.stx_dev_minor == sb.stx_dev_minor;
    }
}

/// <summary>
/// linux.sysctl: only sysctls of namespaces the container owns are allowed (runc's validator rules and texts), and
/// they are written through a verified procfs (see <see cref="ProcFiles"/>). Keys use dots ("net.ipv4.ip_forward") or
/// slashes ("net/ipv4/conf/eth0.100/forwarding", for names that contain dots).
/// </summary>
public static class Sysctls
{
    static readonly string[] IpcKeys =
        ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"];

    /// <summary>The key in dotted form, for classification.</summary>
    static string Dotted(string key) => key.Contains('/') ? key.Trim('/').Replace('/', '.') : key;

    /// <summary>The file under /proc/sys for <paramref name="key"/>.</summary>
    public static string RelativePath(string key) => key.Contains('/') ? key.Trim('/') : key.Replace('.', '/');

    /// <summary>Null when <paramref name="key"/> may be set in a container with <paramref name="ns"/>; else runc's error text.</summary>
    public static string? Check(string key, SysctlNamespaces ns)
    {
        var k = Dotted(key);
        if (Array.IndexOf(IpcKeys, k) >= 0 || k.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            return ns.Ipc ? null : $"sysctl {ExecLookup.GoQuote(key)} is not allowed in the hosts ipc namespace";
        if (k.StartsWith("net.", StringComparison.Ordinal))
            return ns.PrivateNet ? null : $"sysctl {ExecLookup.GoQuote(key)} not allowed in host network namespace";
        if (ns.Uts)
        {
            if (k == "kernel.domainname") return null;
            if (k == "kernel.hostname")
                return $"sysctl {ExecLookup.GoQuote(key)} is not allowed as it conflicts with the OCI \"hostname\" field";
        }
        return $"sysctl {ExecLookup.GoQuote(key)} is not in a separate kernel namespace";
    }

    /// <summary>Throws <see cref="ContainerException"/> for the first key that is not allowed (keys in sorted order, so the error is stable).</summary>
    public static void Validate(IReadOnlyDictionary<string, string>? sysctl, SysctlNamespaces ns)
    {
        if (sysctl is null) return;
        foreach (var key in sysctl.Keys.Order(StringComparer.Ordinal))
        {
            if (key.Length == 0 || key.Contains("..") || RelativePath(key).Split('/').Any(s => s.Length == 0 || s == "." || s == ".."))
                throw new ContainerException($"sysctl {ExecLookup.GoQuote(key)} is not a valid sysctl name");
            if (Check(key, ns) is { } err) throw new ContainerException(err);
        }
    }

    /// <summary>
    /// Writes every sysctl inside the container (init, after pivot_root, before read-only and masked paths are applied:
    /// /proc/sys is usually made read-only by them). Each write goes through /proc checked to be procfs and openat2
    /// beneath /proc/sys without symlinks or mount crossings.
    /// </summary>
    public static void Apply(IReadOnlyDictionary<string, string>? sysctl, string procPath = "/proc")
    {
        if (sysctl is null || sysctl.Count == 0) return;
        int proc = ProcFiles.OpenProcRoot(procPath);
        int sys = -1;
        try
        {
            sys = OpenSysDir(proc);
            foreach (var (key, value) in sysctl)
            {
                var rel = RelativePath(key);
                var display = "/proc/sys/" + rel;
                ProcFiles.WriteAndClose(ProcFiles.OpenBeneath(sys, rel, display), value, display);
            }
        }
        finally
        {
            if (sys >= 0) Libc.close(sys);
            Libc.close(proc);
        }
    }

    static unsafe int OpenSysDir(int proc)
    {
        var how = new Libc.OpenHow
        {
            flags = (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC),
            resolve = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS,
        };
        int fd;
        fixed (byte* p = "sys\0"u8) fd = Libc.openat2(proc, p, &how);
        if (fd < 0) throw new NativeException("open", "/proc/sys", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        Libc.MountStatfs s;
        if (Libc.fstatfs(fd, &s) < 0 || s.f_type != Libc.PROC_SUPER_MAGIC)
        {
            Libc.close(fd);
            throw new ContainerException("/proc/sys is not on procfs: refusing to write sysctls");
        }
        return fd;
    }
}
