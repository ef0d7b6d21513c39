using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// Mounts one config.json mounts[] entry inside the rootfs (before pivot_root). The destination is resolved and
/// created in the rootfs by <see cref="InRoot"/>, the mount goes through /proc/thread-self/fd/N of that fd, and
/// the new mount is reopened for the follow-up steps (bind remount, propagation, recursive attributes).
/// </summary>
public static class SpecMounts
{
    /// <summary>Files under /proc that lxcfs-style bind mounts may cover (runc's allow-list).</summary>
    static readonly string[] ProcAllowList =
    [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ];

    public static void MountOne(RootfsContext c, in Fd root, NRunc.Spec.Mount m, int index)
    {
        var dest = InRoot.Clean(m.Destination);
        var type = m.Type ?? "";
        try
        {
            var o = MountOptions.Parse(m.Options);
            var bind = o.IsBind || type == "bind";
            CheckProcDestination(dest, type, bind);
            if (c.PreparedMountFds is not null && c.PreparedMountFds.TryGetValue(index, out var prepared))
            {
                AttachPrepared(root, dest, prepared, o);
                return;
            }
            if (bind) { Bind(c, root, m, dest, o); return; }
            if ((o.IdMap || m.UidMappings is { Count: > 0 }))
                throw new ContainerException("id-mapped mounts are only supported for bind mounts");
            switch (type)
            {
                case "cgroup": CgroupFsMounts.MountCgroup(c, root, dest, o); break;
                case "cgroup2": CgroupFsMounts.MountCgroup2(c, root, dest, o); break;
                case "proc": Proc(root, dest, m, o); break;
                case "sysfs": Sysfs(c, root, dest, m, o); break;
                default: Generic(c, root, dest, m, type, o); break;
            }
        }
        catch (NativeException e)
        {
            throw new ContainerException($"error mounting \"{m.Source ?? type}\" to rootfs at \"{m.Destination}\": {e.Message}", e);
        }
        catch (ContainerException e) when (!e.Message.StartsWith("error mounting", StringComparison.Ordinal))
        {
            throw new ContainerException($"error mounting \"{m.Source ?? type}\" to rootfs at \"{m.Destination}\": {e.Message}", e);
        }
    }

    /// <summary>
    /// Nothing but procfs may go on /proc, and under /proc only procfs or the allow-listed files, so a mount cannot
    /// hide /proc/self or redirect /proc/sys writes (runc's checkProcMount).
    /// </summary>
    public static void CheckProcDestination(string dest, string type, bool bind)
    {
        if (dest != "/proc" && !dest.StartsWith("/proc/", StringComparison.Ordinal)) return;
        if (dest == "/proc")
        {
            if (type == "proc" && !bind) return;
            throw new ContainerException($"\"{dest}\" cannot be mounted because it is not of type proc");
        }
        if (type == "proc" && !bind) return;
        if (Array.IndexOf(ProcAllowList, dest) >= 0) return;
        throw new ContainerException($"\"{dest}\" cannot be mounted because it is inside /proc");
    }

    static void Generic(RootfsContext c, in Fd root, string dest, NRunc.Spec.Mount m, string type, MountOptions o)
    {
        var flags = o.Flags;
        // /dev must stay writable until devices and symlinks exist; Finish makes it read-only (runc does so too).
        if (dest == "/dev" && (flags & MS_RDONLY) != 0) { flags &= ~MS_RDONLY; c.DevReadonly = true; }
        using var target = InRoot.OpenOrCreate(root.Value, dest, CreateKind.Directory);
        var source = string.IsNullOrEmpty(m.Source) ? type : m.Source;
        if ((flags & MS_REMOUNT) != 0)
        {
            MountOps.Mount(null, target, null, flags, o.Data, dest);
        }
        else if (o.TmpCopyUp && type == "tmpfs")
        {
            TmpCopyUp(root, target, dest, flags, o.Data);
        }
        else
        {
            try { MountOps.Mount(source, target, type.Length == 0 ? null : type, flags, o.Data, dest); }
            catch (NativeException e) when (e.Errno == Errno.EPERM && c.NewUserNamespace && type == "mqueue")
            {
                // A user namespace that does not own the IPC namespace cannot mount mqueue: bind the host's (as crun does).
                using var host = OpenHost("/dev/mqueue", O_PATH | O_DIRECTORY);
                MountOps.Mount(host.ProcPath, target, null, MS_BIND | MS_REC, null, dest);
                using var b = InRoot.Open(root.Value, dest);
                MountOps.BindRemount(b, flags & ~(MS_BIND | MS_REC | MS_REMOUNT), !o.AtimeGiven, dest);
            }
        }
        using var mnt = InRoot.Open(root.Value, dest);
        After(mnt, o, dest);
    }

    static void Proc(in Fd root, string dest, NRunc.Spec.Mount m, MountOptions o)
    {
        RejectSymlink(root, dest);
        using var target = InRoot.OpenOrCreate(root.Value, dest, CreateKind.Directory);
        MountOps.Mount(string.IsNullOrEmpty(m.Source) ? "proc" : m.Source, target, "proc", o.Flags, o.Data, dest);
        using var mnt = InRoot.Open(root.Value, dest);
        // What is at dest now must be the procfs we just mounted, not something swapped in (CVE-2025-52881).
        var st = MountOps.Statfs(mnt.Value, dest);
        if (st.f_type != PROC_SUPER_MAGIC)
            throw new ContainerException($"{dest} is not procfs after mounting it (f_type 0x{st.f_type:x})");
        After(mnt, o, dest);
    }

    /// <summary>
    /// procfs goes exactly where the spec says: a rootfs whose /proc is a symlink would get procfs somewhere else, and
    /// the masked and read-only paths under /proc would then protect nothing (CVE-2023-28642).
    /// </summary>
    static void RejectSymlink(in Fd root, string dest)
    {
        var (parent, name) = InRoot.Split(dest);
        if (name.Length == 0) return;
        int dir = InRoot.TryOpen(root.Value, parent, O_PATH | O_DIRECTORY, out _);
        if (dir < 0) return; // missing parents are created as directories
        using var held = new Fd(dir);
        if (InRoot.TryReadlink(dir, name) is { } link)
            throw new ContainerException($"\"{dest}\" cannot be mounted because it is a symlink (to \"{link}\")");
    }

    static void Sysfs(RootfsContext c, in Fd root, string dest, NRunc.Spec.Mount m, MountOptions o)
    {
        var flags = o.Flags;
        if (!c.NewNetworkNamespace) flags |= MS_RDONLY;
        using var target = InRoot.OpenOrCreate(root.Value, dest, CreateKind.Directory);
        try
        {
            MountOps.Mount(string.IsNullOrEmpty(m.Source) ? "sysfs" : m.Source, target, "sysfs", flags, o.Data, dest);
        }
        catch (NativeException e) when (e.Errno == Errno.EPERM && c.NewUserNamespace)
        {
            // A user namespace that does not own the network namespace cannot mount sysfs: bind the host's /sys.
            using var sys = OpenHost("/sys", O_PATH | O_DIRECTORY);
            MountOps.Mount(sys.ProcPath, target, null, MS_BIND | MS_REC, null, dest);
            using var b = InRoot.Open(root.Value, dest);
            MountOps.BindRemount(b, (flags | MS_RDONLY) & ~(MS_BIND | MS_REC | MS_REMOUNT), !o.AtimeGiven, dest);
            // The host's mounts below /sys (cgroups among them) come along: read-only too, as sysfs itself would be.
            MountOps.SetAttr(b, MOUNT_ATTR_RDONLY, 0, true, dest);
        }
        using var mnt = InRoot.Open(root.Value, dest);
        After(mnt, o, dest);
    }

    static void Bind(RootfsContext c, in Fd root, NRunc.Spec.Mount m, string dest, MountOptions o)
    {
        if (string.IsNullOrEmpty(m.Source)) throw new ContainerException("bind mount without a source");
        var source = m.Source;
        if (!source.StartsWith('/')) source = Path.Combine(c.BundlePath ?? Directory.GetCurrentDirectory(), source);
        using var src = OpenHost(source, O_PATH);
        var st = InRoot.Stat(src.Value, source);
        using var target = InRoot.OpenOrCreate(root.Value, dest, InRoot.IsDir(st) ? CreateKind.Directory : CreateKind.File);
        var rec = (o.Flags & MS_REC) != 0;
        if (o.IdMap || m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 })
        {
            using var tree = MountOps.CloneTree(src, rec || o.RecursiveIdMap, source);
            IdMappedMounts.Apply(tree, m, o, dest, c.Spec.Linux);
            MountOps.Attach(tree, target, dest);
        }
        else
        {
            MountOps.Mount(src.ProcPath, target, null, MS_BIND | (rec ? MS_REC : 0), null, dest);
        }
        using var mnt = InRoot.Open(root.Value, dest);
        var remount = o.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (remount != 0) MountOps.BindRemount(mnt, remount, !o.AtimeGiven, dest);
        After(mnt, o, dest);
    }

    static void AttachPrepared(in Fd root, string dest, int fd, MountOptions o)
    {
        var tree = new Fd(fd);
        var st = InRoot.Stat(tree.Value, dest);
        using var target = InRoot.OpenOrCreate(root.Value, dest, InRoot.IsDir(st) ? CreateKind.Directory : CreateKind.File);
        MountOps.Attach(tree, target, dest);
        using var mnt = InRoot.Open(root.Value, dest);
        var remount = o.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (remount != 0) MountOps.BindRemount(mnt, remount, !o.AtimeGiven, dest);
        After(mnt, o, dest);
    }

    /// <summary>Per-mount propagation and recursive attributes, applied to the new mount.</summary>
    internal static void After(in Fd mnt, MountOptions o, string dest)
    {
        foreach (var p in o.Propagation) MountOps.Mount(null, mnt, null, p, null, dest);
        if (o.RecAttrSet != 0 || o.RecAttrClr != 0) MountOps.SetAttr(mnt, o.RecAttrSet, o.RecAttrClr, true, dest);
    }

    /// <summary>runc's tmpcopyup: mount the tmpfs elsewhere, copy dest's content into it, then move it onto dest.</summary>
    static void TmpCopyUp(in Fd root, in Fd target, string dest, ulong flags, string data)
    {
        var opts = new List<KeyValuePair<string, string?>>();
        foreach (var kv in data.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = kv.IndexOf('=');
            opts.Add(eq < 0 ? new(kv, null) : new(kv[..eq], kv[(eq + 1)..]));
        }
        using var tmp = MountOps.NewFs("tmpfs", opts, 0, dest);
        CopyTree(target.ProcPath, tmp.ProcPath);
        MountOps.Attach(tmp, target, dest);
        using var mnt = InRoot.Open(root.Value, dest);
        var remount = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (remount != 0) MountOps.Mount(null, mnt, null, remount | MS_REMOUNT, null, dest);
    }

    static void CopyTree(string from, string to)
    {
        foreach (var e in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var dst = Path.Combine(to, e.Name);
            if (e.LinkTarget is { } link) File.CreateSymbolicLink(dst, link);
            else if (e is DirectoryInfo d) { Directory.CreateDirectory(dst); CopyTree(d.FullName, dst); }
            else File.Copy(e.FullName, dst);
        }
    }

    /// <summary>Opens a host path (bind sources come from the host side, so symlinks there are followed).</summary>
    public static unsafe Fd OpenHost(string path, int flags)
    {
        fixed (byte* p = Utf8.Z(path))
        {
            var fd = open(p, flags | O_CLOEXEC, 0);
            if (fd < 0) throw new NativeException("open", path, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            return new Fd(fd);
        }
    }
}
