using System.Runtime.InteropServices;
using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>Thin, fd-based wrappers over mount(2) and the new mount API, each failing with a NativeException.</summary>
public static unsafe class MountOps
{
    /// <summary>mount(2) onto an already resolved target fd (through /proc/thread-self/fd/N).</summary>
    public static void Mount(string? source, in Fd target, string? fstype, ulong flags, string? data, string what) =>
        MountAt(source, target.ProcPath, fstype, flags, data, what);

    /// <summary>mount(2) on a plain path (used for "/" and the pivot dance, where no fd is involved).</summary>
    public static void MountPath(string? source, string target, string? fstype, ulong flags, string? data = null) =>
        MountAt(source, target, fstype, flags, data, target);

    static void MountAt(string? source, string target, string? fstype, ulong flags, string? data, string what)
    {
        var tgt = Utf8.Z(target);
        var src = source is null ? null : Utf8.Z(source);
        var typ = fstype is null ? null : Utf8.Z(fstype);
        var dat = string.IsNullOrEmpty(data) ? null : Utf8.Z(data);
        fixed (byte* s = src)
        fixed (byte* t = tgt)
        fixed (byte* ty = typ)
        fixed (byte* d = dat)
        {
            if (mount(s, t, ty, flags, d) < 0)
                throw new NativeException("mount", what, Marshal.GetLastPInvokeError());
        }
    }

    public static MountStatfs Statfs(int fd, string what)
    {
        MountStatfs st;
        NativeException.Check(fstatfs(fd, &st), "fstatfs", what);
        return st;
    }

    /// <summary>
    /// Bind remount that keeps the flags the kernel locks in a user namespace: try the requested flags, and on EPERM
    /// add the mount's current nosuid/nodev/noexec/ro/atime flags (runc does the same from the source's statfs).
    /// </summary>
    public static void BindRemount(in Fd mountRoot, ulong flags, bool keepAtime, string what)
    {
        var st = Statfs(mountRoot.Value, what);
        var current = MountOptions.LockedFlagsFromStatfs(st.f_flags);
        const ulong atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;
        var f = flags;
        if (keepAtime && (f & atime) == 0) f |= current & atime;
        try
        {
            Mount(null, mountRoot, null, f | MS_REMOUNT | MS_BIND, null, what);
        }
        catch (NativeException e) when (e.Errno == Errno.EPERM)
        {
            Mount(null, mountRoot, null, f | (current & ~MS_NOSYMFOLLOW) | MS_REMOUNT | MS_BIND, null, what);
        }
    }

    /// <summary>mount_setattr(2) on the tree under an fd (recursive options such as rro, rnosuid).</summary>
    public static void SetAttr(in Fd mountRoot, ulong set, ulong clear, bool recursive, string what, int usernsFd = 0)
    {
        var attr = new MountAttr { attr_set = set, attr_clr = clear, userns_fd = (ulong)usernsFd };
        fixed (byte* e = Utf8.Z(""))
        {
            var flags = (uint)(AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
            if (mount_setattr(mountRoot.Value, e, flags, &attr) < 0)
                throw new NativeException("mount_setattr", what, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>open_tree(OPEN_TREE_CLONE) of the object behind an fd: a detached copy of that mount (tree).</summary>
    public static Fd CloneTree(in Fd source, bool recursive, string what)
    {
        fixed (byte* e = Utf8.Z(""))
        {
            var flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (uint)AT_EMPTY_PATH | (recursive ? (uint)AT_RECURSIVE : 0);
            var fd = open_tree(source.Value, e, flags);
            if (fd < 0) throw new NativeException("open_tree", what, Marshal.GetLastPInvokeError());
            return new Fd(fd);
        }
    }

    /// <summary>move_mount(2) of a detached mount onto a target fd.</summary>
    public static void Attach(in Fd detached, in Fd target, string what)
    {
        fixed (byte* e = Utf8.Z(""))
        {
            if (move_mount(detached.Value, e, target.Value, e, MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                throw new NativeException("move_mount", what, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>A new detached filesystem instance (fsopen/fsconfig/fsmount) with the given string options.</summary>
    public static Fd NewFs(string fstype, IEnumerable<KeyValuePair<string, string?>> options, uint attrFlags, string what)
    {
        int f;
        fixed (byte* t = Utf8.Z(fstype)) f = fsopen(t, FSOPEN_CLOEXEC);
        if (f < 0) throw new NativeException("fsopen", what, Marshal.GetLastPInvokeError());
        using var fsfd = new Fd(f);
        foreach (var (k, v) in options)
        {
            fixed (byte* kp = Utf8.Z(k))
            fixed (byte* vp = v is null ? null : Utf8.Z(v))
            {
                if (fsconfig(fsfd.Value, v is null ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING, kp, vp, 0) < 0)
                    throw new NativeException("fsconfig", what + " " + k, Marshal.GetLastPInvokeError());
            }
        }
        if (fsconfig(fsfd.Value, FSCONFIG_CMD_CREATE, null, null, 0) < 0)
            throw new NativeException("fsconfig", what, Marshal.GetLastPInvokeError());
        var m = fsmount(fsfd.Value, FSMOUNT_CLOEXEC, attrFlags);
        if (m < 0) throw new NativeException("fsmount", what, Marshal.GetLastPInvokeError());
        return new Fd(m);
    }
}
