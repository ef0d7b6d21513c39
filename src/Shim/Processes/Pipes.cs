using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Shim.Processes;

/// <summary>Raw fd helpers: pipes, /dev/null, fifo opens, full writes and file-status flags.</summary>
public static unsafe class Pipes
{
    public readonly record struct Pair(int Read, int Write);

    public static Pair Create()
    {
        int* fds = stackalloc int[2];
        NativeException.Check(Libc.pipe2(fds, Libc.O_CLOEXEC), "pipe2");
        return new Pair(fds[0], fds[1]);
    }

    public static int OpenDevNull() => Open("/dev/null", Libc.O_RDWR);

    public static int Open(string path, int flags, uint mode = 0)
    {
        var z = Utf8.Z(path);
        fixed (byte* p = z) return NativeException.Check(Libc.open(p, flags | Libc.O_CLOEXEC, (int)mode), "open", path);
    }

    /// <summary>Clears O_NONBLOCK (a fifo opened non-blocking is then used blocking, e.g. by the container).</summary>
    public static void SetBlocking(int fd)
    {
        int fl = Libc.fcntl_int(fd, Libc.F_GETFL, 0);
        if (fl >= 0) Libc.fcntl_int(fd, Libc.F_SETFL, fl & ~Libc.O_NONBLOCK);
    }

    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                nint n = Libc.write(fd, p + off, data.Length - off);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == 4) continue;
                    return false;
                }
                off += (int)n;
            }
        }
        return true;
    }
}
