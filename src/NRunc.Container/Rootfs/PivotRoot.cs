using System.Runtime.InteropServices;
using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>Switches the process's root to the prepared rootfs and detaches the old root.</summary>
public static unsafe class PivotRoot
{
    /// <summary>
    /// pivot_root(".", ".") inside the new root stacks the old root on top of it; fchdir back to the old root, make
    /// it rslave so the detach does not propagate to the host, and unmount it lazily (runc's trick: no put_old dir
    /// is needed, so a read-only rootfs works).
    /// </summary>
    public static void Pivot(string rootfs)
    {
        using var oldRoot = SpecMounts.OpenHost("/", O_DIRECTORY | O_RDONLY);
        using var newRoot = SpecMounts.OpenHost(rootfs, O_DIRECTORY | O_RDONLY);
        NativeException.Check(RootfsFchdir(newRoot.Value), "fchdir", rootfs);
        fixed (byte* dot = Utf8.Z("."))
        {
            if (pivot_root(dot, dot) < 0) throw new NativeException("pivot_root", rootfs, Marshal.GetLastPInvokeError());
            NativeException.Check(RootfsFchdir(oldRoot.Value), "fchdir", "old root");
            MountOps.MountPath(null, ".", null, MS_SLAVE | MS_REC);
            NativeException.Check(umount2(dot, MNT_DETACH), "umount2", "old root");
        }
        Chdir("/");
    }

    /// <summary>--no-pivot: move the rootfs mount onto / and chroot into it (the old root stays reachable by
    /// mount-namespace tricks, which is why runc warns against it).</summary>
    public static void MoveRoot(string rootfs)
    {
        Chdir(rootfs);
        MountOps.MountPath(rootfs, "/", null, MS_MOVE);
        fixed (byte* dot = Utf8.Z("."))
            NativeException.Check(RootfsChroot(dot), "chroot", rootfs);
        Chdir("/");
    }

    static void Chdir(string path)
    {
        fixed (byte* p = Utf8.Z(path)) NativeException.Check(RootfsChdir(p), "chdir", path);
    }
}
