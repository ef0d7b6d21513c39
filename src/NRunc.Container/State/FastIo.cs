using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Container.State;

/// <summary>
/// Plain open/read/close for the small files read on hot paths (state.json, /proc/PID/stat, freezer state):
/// FileStream adds fstat, flock-based FileShare emulation and buffering that cost syscalls per file (list reads
/// thousands of them).
/// </summary>
public static unsafe class FastIo
{
    /// <summary>The whole file, or null when it does not exist (ENOENT/ENOTDIR). Other errors throw.</summary>
    public static byte[]? ReadAll(string path)
    {
        int fd = Open(path);
        if (fd < 0) return null;
        try
        {
            var buf = new byte[4096];
            int len = 0;
            while (true)
            {
                if (len == buf.Length) Array.Resize(ref buf, buf.Length * 2);
                nint n;
                fixed (byte* p = &buf[len]) n = Libc.read(fd, p, buf.Length - len);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    throw new NativeException("read", path, errno);
                }
                if (n == 0) break;
                len += (int)n;
            }
            return len == buf.Length ? buf : buf.AsSpan(0, len).ToArray();
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Reads up to buf.Length bytes (one read: procfs and cgroupfs files are produced whole); -1 when missing.</summary>
    public static int ReadSmall(string path, Span<byte> buf)
    {
        int fd = Open(path);
        if (fd < 0) return -1;
        try
        {
            while (true)
            {
                nint n;
                fixed (byte* p = buf) n = Libc.read(fd, p, buf.Length);
                if (n >= 0) return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.ESRCH) return -1; // /proc/PID of a process that just went away
                throw new NativeException("read", path, errno);
            }
        }
        finally { Libc.close(fd); }
    }

    /// <summary>open(O_RDONLY|O_CLOEXEC); -1 for a path that does not exist or vanished, throws otherwise.</summary>
    static int Open(string path)
    {
        int fd;
        fixed (byte* p = Utf8.Z(path)) fd = Libc.open(p, StateConst.O_RDONLY | StateConst.O_CLOEXEC, 0);
        if (fd >= 0) return fd;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is Errno.ENOENT or Errno.ENOTDIR or Errno.ESRCH) return -1;
        throw new NativeException("open", path, errno);
    }
}
