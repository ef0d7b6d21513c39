using System.Runtime.InteropServices;
using NRunc.Native;
using NRunc.Native.Raw;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// The nrunc binary that init is executed from, protected against being overwritten from inside the container
/// (CVE-2019-5736): a detached, read-only bind mount of /proc/self/exe (no copy, so it costs microseconds), or, where
/// that is not allowed (no CAP_SYS_ADMIN over our mount namespace), a sealed memfd copy. Either way the container's
/// /proc/1/exe points at a file that cannot be opened for writing.
/// </summary>
public static unsafe class ReexecBinary
{
    const int OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0x80000, AT_EMPTY_PATH = 0x1000;
    const ulong MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4;
    const int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, F_ADD_SEALS = 1033;
    const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    /// <summary>Returns an O_CLOEXEC fd that can be passed to execveat(fd, "", AT_EMPTY_PATH).</summary>
    public static int Open()
    {
        int fd = TryReadOnlyBind();
        return fd >= 0 ? fd : SealedCopy();
    }

    static int TryReadOnlyBind()
    {
        long fd;
        fixed (byte* p = "/proc/self/exe\0"u8)
            fd = RawSyscall.Sys(Nr.OpenTree, Libc.AT_FDCWD_LIFECYCLE, (long)p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0) return -1;
        // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
        ulong* attr = stackalloc ulong[4];
        attr[0] = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV; attr[1] = 0; attr[2] = 0; attr[3] = 0;
        long r;
        fixed (byte* empty = "\0"u8)
            r = RawSyscall.Sys(Nr.MountSetattr, fd, (long)empty, AT_EMPTY_PATH, (long)attr, 32);
        if (r < 0) { Libc.close((int)fd); return -1; }
        return (int)fd;
    }

    static int SealedCopy()
    {
        int fd;
        fixed (byte* name = "nrunc\0"u8) fd = (int)RawSyscall.Sys(319 /* memfd_create */, (long)name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) throw new NativeException("memfd_create", "nrunc", -fd);
        try
        {
            using var src = File.OpenHandle("/proc/self/exe");
            long size = RandomAccess.GetLength(src);
            var buf = new byte[1 << 20];
            long off = 0;
            while (off < size)
            {
                int n = RandomAccess.Read(src, buf, off);
                if (n <= 0) break;
                fixed (byte* b = buf)
                {
                    int done = 0;
                    while (done < n)
                    {
                        var w = Libc.write(fd, b + done, n - done);
                        if (w < 0) throw new NativeException("write", "memfd", Marshal.GetLastPInvokeError());
                        done += (int)w;
                    }
                }
                off += n;
            }
            NativeException.Check(Libc.fcntl_int(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), "fcntl F_ADD_SEALS", "memfd");
            return fd;
        }
        catch
        {
            Libc.close(fd);
            throw;
        }
    }
}
