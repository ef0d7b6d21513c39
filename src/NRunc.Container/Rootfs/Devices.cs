using System.Runtime.InteropServices;
using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// /dev: the default devices and linux.devices (mknodat in the resolved parent, or a bind of the host node in a
/// user namespace, where mknod is not allowed), the standard symlinks, /dev/ptmx → pts/ptmx, and the
/// /dev/console placeholder.
/// </summary>
public static unsafe class Devices
{
    /// <summary>A device to create: path in the container, type (c, b, u, p), numbers, mode bits, owner.</summary>
    public readonly record struct Node(string Path, char Type, long Major, long Minor, uint Mode, uint Uid, uint Gid, bool FromSpec = false);

    /// <summary>runc's default devices: all character devices, 0666, root-owned.</summary>
    public static readonly Node[] Defaults =
    [
        new("/dev/null", 'c', 1, 3, 0x1b6, 0, 0),
        new("/dev/zero", 'c', 1, 5, 0x1b6, 0, 0),
        new("/dev/full", 'c', 1, 7, 0x1b6, 0, 0),
        new("/dev/random", 'c', 1, 8, 0x1b6, 0, 0),
        new("/dev/urandom", 'c', 1, 9, 0x1b6, 0, 0),
        new("/dev/tty", 'c', 5, 0, 0x1b6, 0, 0),
    ];

    /// <summary>Defaults first, then linux.devices; a spec device replaces a default with the same path.</summary>
    public static List<Node> Plan(IEnumerable<NRunc.Spec.LinuxDevice>? spec)
    {
        var list = new List<Node>();
        var specNodes = new List<Node>();
        foreach (var d in spec ?? [])
        {
            var t = d.Type.Length == 1 ? d.Type[0] : '?';
            if (t is not ('c' or 'b' or 'u' or 'p'))
                throw new ContainerException($"device {d.Path}: unsupported type \"{d.Type}\" (expected c, b, u or p)");
            specNodes.Add(new Node(InRoot.Clean(d.Path), t, d.Major, d.Minor, (d.FileMode ?? 0x1b6) & 0xfff, d.Uid ?? 0, d.Gid ?? 0, FromSpec: true));
        }
        foreach (var n in Defaults)
            if (!specNodes.Exists(s => s.Path == n.Path)) list.Add(n);
        list.AddRange(specNodes);
        return list;
    }

    public static uint TypeBits(char t) => t switch
    {
        'b' => S_IFBLK,
        'p' => S_IFIFO,
        _ => S_IFCHR,
    };

    public static void Create(RootfsContext c, in Fd root)
    {
        foreach (var n in Plan(c.Spec.Linux?.Devices))
        {
            try
            {
                CreateOne(c, root, n);
            }
            catch (NativeException e)
            {
                throw new ContainerException($"creating device node {n.Path}: {e.Message}", e);
            }
        }
    }

    static void CreateOne(RootfsContext c, in Fd root, Node n)
    {
        var (parent, name) = InRoot.Split(n.Path);
        using var dir = InRoot.OpenOrCreate(root.Value, parent, CreateKind.Directory);
        if (c.NewUserNamespace) { BindHostNode(root, n); return; }
        int r;
        fixed (byte* p = Utf8.Z(name))
        {
            var dev = n.Type == 'p' ? 0 : Makedev(n.Major, n.Minor);
            r = mknodat(dir.Value, p, TypeBits(n.Type) | n.Mode, dev);
            if (r < 0)
            {
                var e = Marshal.GetLastPInvokeError();
                // already there (a bind-mounted /dev or a populated rootfs): fine if it is that device
                if (e == Errno.EEXIST) { if (n.FromSpec) CheckExisting(dir, p, n); return; }
                if (e == Errno.EPERM) { BindHostNode(root, n); return; }
                throw new NativeException("mknodat", n.Path, e);
            }
            NativeException.Check(fchownat(dir.Value, p, (int)n.Uid, (int)n.Gid, AT_SYMLINK_NOFOLLOW), "fchownat", n.Path);
        }
    }

    /// <summary>config-linux.md: a file at a linux.devices path that is not the requested device is an error.</summary>
    static void CheckExisting(in Fd dir, byte* name, Node n)
    {
        Statx st;
        NativeException.Check(statx(dir.Value, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st), "statx", n.Path);
        bool same = (st.stx_mode & S_IFMT) == TypeBits(n.Type)
            && (n.Type == 'p' || (st.stx_rdev_major == n.Major && st.stx_rdev_minor == n.Minor));
        if (!same)
            throw new ContainerException($"device {n.Path}: a file that is not the requested device ({n.Type} {n.Major}:{n.Minor}) exists there");
    }

    /// <summary>Bind-mounts the host's node at the same path onto an empty file in the container.</summary>
    static void BindHostNode(in Fd root, Node n)
    {
        using var src = SpecMounts.OpenHost(n.Path, O_PATH);
        using var target = InRoot.OpenOrCreate(root.Value, n.Path, CreateKind.File);
        MountOps.Mount(src.ProcPath, target, null, MS_BIND, null, n.Path);
    }

    /// <summary>/dev/fd, stdin, stdout, stderr, core (when the host has /proc/kcore) and ptmx → pts/ptmx.</summary>
    public static void Symlinks(in Fd root)
    {
        using var devDir = InRoot.OpenOrCreate(root.Value, "/dev", CreateKind.Directory);
        Symlink(devDir, "/proc/self/fd", "fd");
        Symlink(devDir, "/proc/self/fd/0", "stdin");
        Symlink(devDir, "/proc/self/fd/1", "stdout");
        Symlink(devDir, "/proc/self/fd/2", "stderr");
        if (File.Exists("/proc/kcore")) Symlink(devDir, "/proc/kcore", "core");
        fixed (byte* p = Utf8.Z("ptmx"))
        {
            if (unlinkat(devDir.Value, p, 0) < 0 && Marshal.GetLastPInvokeError() is var e && e != Errno.ENOENT)
                throw new NativeException("unlinkat", "/dev/ptmx", e);
        }
        Symlink(devDir, "pts/ptmx", "ptmx");
    }

    /// <summary>symlinkat in a directory fd; an existing entry is left alone (runc does the same).</summary>
    public static void Symlink(in Fd dir, string target, string name)
    {
        fixed (byte* t = Utf8.Z(target))
        fixed (byte* n = Utf8.Z(name))
        {
            if (symlinkat(t, dir.Value, n) < 0 && Marshal.GetLastPInvokeError() is var e && e != Errno.EEXIST)
                throw new NativeException("symlinkat", name, e);
        }
    }

    /// <summary>
    /// An empty regular file at /dev/console for the console code to bind the pty onto. Whatever the rootfs had
    /// there (a symlink to a host-sensitive path, a device) is replaced first (CVE-2025-52565).
    /// </summary>
    public static void ConsolePlaceholder(in Fd root)
    {
        using var devDir = InRoot.OpenOrCreate(root.Value, "/dev", CreateKind.Directory);
        fixed (byte* n = Utf8.Z("console"))
        {
            Statx st;
            if (statx(devDir.Value, n, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &st) == 0 && (st.stx_mode & S_IFMT) != S_IFREG)
            {
                // A mount on it (a bind-mounted /dev) cannot be unlinked: fail rather than bind over something else.
                NativeException.Check(unlinkat(devDir.Value, n, (st.stx_mode & S_IFMT) == S_IFDIR ? AT_REMOVEDIR : 0), "unlinkat", "/dev/console");
            }
            var fd = openat(devDir.Value, n, O_CREAT | O_NOFOLLOW | O_RDONLY | O_CLOEXEC | O_NOCTTY, 0x180);
            NativeException.Check(fd, "openat", "/dev/console");
            close(fd);
        }
    }
}
