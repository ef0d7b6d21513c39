using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Container.Process;

/// <summary>
/// Writes to procfs that cannot be redirected (CVE-2025-52881): /proc is opened and checked to be real procfs
/// (fstatfs PROC_SUPER_MAGIC), then the file is opened beneath it with openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_XDEV (so a symlink or a bind mount over a /proc file cannot send the write elsewhere), and the opened
/// file is checked to be on procfs as well.
/// </summary>
public static unsafe class ProcFiles
{
    /// <summary>Opens "/proc" (O_PATH) and checks it is procfs.</summary>
    public static int OpenProcRoot(string procPath = "/proc")
    {
        int fd;
        fixed (byte* p = Utf8.Z(procPath)) fd = Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", procPath, Marshal.GetLastPInvokeError());
        try
        {
            CheckProcfs(fd, procPath);
            return fd;
        }
        catch
        {
            Libc.close(fd);
            throw;
        }
    }

    static void CheckProcfs(int fd, string what)
    {
        Libc.MountStatfs s;
        NativeException.Check(Libc.fstatfs(fd, &s), "fstatfs", what);
        if (s.f_type != Libc.PROC_SUPER_MAGIC)
            throw new ContainerException($"{what} is not on procfs (f_type 0x{s.f_type:x}): refusing to write to it");
    }

    /// <summary>Opens <paramref name="relative"/> beneath the procfs fd <paramref name="dirFd"/> for writing, without following symlinks or crossing mounts.</summary>
    public static int OpenBeneath(int dirFd, string relative, string display, bool noXdev = true)
    {
        var how = new Libc.OpenHow
        {
            flags = (ulong)(Libc.O_WRONLY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW),
            resolve = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS | (noXdev ? Libc.RESOLVE_NO_XDEV : 0),
        };
        int fd;
        fixed (byte* p = Utf8.Z(relative)) fd = Libc.openat2(dirFd, p, &how);
        if (fd < 0) throw new NativeException("open", display, Marshal.GetLastPInvokeError());
        try
        {
            CheckProcfs(fd, display);
            return fd;
        }
        catch
        {
            Libc.close(fd);
            throw;
        }
    }

    /// <summary>Writes <paramref name="value"/> in one write(2) to an fd from <see cref="OpenBeneath"/> and closes it.</summary>
    public static void WriteAndClose(int fd, string value, string display)
    {
        try
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
            {
                nint n = Libc.write(fd, b, bytes.Length);
                if (n < 0) throw new NativeException("write", display, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>Writes <paramref name="value"/> to /proc/<paramref name="relative"/> with every check above.</summary>
    public static void Write(string relative, string value)
    {
        int proc = OpenProcRoot();
        try
        {
            var display = "/proc/" + relative;
            WriteAndClose(OpenBeneath(proc, relative, display), value, display);
        }
        finally
        {
            Libc.close(proc);
        }
    }
}
