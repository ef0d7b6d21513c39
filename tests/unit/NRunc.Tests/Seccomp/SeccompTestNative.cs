using System.Runtime.InteropServices;

namespace NRunc.Tests.Seccomp;

/// <summary>libc calls the seccomp tests make on a filtered thread, returning errno directly.</summary>
internal static unsafe partial class SeccompTestNative
{
    const int PR_SET_NO_NEW_PRIVS = 38, PR_GET_SECCOMP = 21;

    [LibraryImport("libc", SetLastError = true)] private static partial int prctl(int option, nint a2, nint a3, nint a4, nint a5);
    [LibraryImport("libc", SetLastError = true)] private static partial int mkdir(byte* path, int mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int dup(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int dup2(int fd, int fd2);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint readlink(byte* path, byte* buf, nint size);
    [LibraryImport("libc", SetLastError = true)] private static partial int unshare(int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int chroot(byte* path);
    [LibraryImport("libc", SetLastError = true)] private static partial int chdir(byte* path);

    /// <summary>Gives the calling thread its own root and cwd (unshare CLONE_FS) and chroots it into <paramref name="dir"/>: errno or 0.</summary>
    public static int ChrootThread(string dir)
    {
        if (unshare(0x200 /* CLONE_FS */) < 0) return Marshal.GetLastPInvokeError();
        fixed (byte* p = NRunc.Native.Utf8.Z(dir)) if (chroot(p) < 0) return Marshal.GetLastPInvokeError();
        fixed (byte* p = "/\0"u8) if (chdir(p) < 0) return Marshal.GetLastPInvokeError();
        return 0;
    }

    /// <summary>0 or errno.</summary>
    static int Errno(long rc) => rc < 0 ? Marshal.GetLastPInvokeError() : 0;

    public static int SetNoNewPrivs() => Errno(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

    /// <summary>The calling thread's seccomp mode: 0 none, 2 filter.</summary>
    public static int SeccompMode() => prctl(PR_GET_SECCOMP, 0, 0, 0, 0);

    public static int Mkdir(string path)
    {
        fixed (byte* p = NRunc.Native.Utf8.Z(path)) return Errno(mkdir(p, 0x1ed /* 0755 */));
    }

    /// <summary>dup(fd): errno, or 0 after closing the new fd.</summary>
    public static int Dup(int fd)
    {
        int r = dup(fd);
        if (r < 0) return Marshal.GetLastPInvokeError();
        close(r);
        return 0;
    }

    public static int Dup2(int fd, int fd2)
    {
        int r = dup2(fd, fd2);
        if (r < 0) return Marshal.GetLastPInvokeError();
        if (r != fd) close(r);
        return 0;
    }

    public static void Close(int fd) => close(fd);

    public static string ReadLink(string path)
    {
        var buf = stackalloc byte[256];
        nint n;
        fixed (byte* p = NRunc.Native.Utf8.Z(path)) n = readlink(p, buf, 256);
        return n < 0 ? $"errno {Marshal.GetLastPInvokeError()}" : System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }

    [StructLayout(LayoutKind.Sequential)]
    struct IoVec { public void* Base; public nuint Len; }

    [StructLayout(LayoutKind.Sequential)]
    struct MsgHdr
    {
        public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen;
        public void* Control; public nuint ControlLen; public int Flags;
    }

    /// <summary>recvmsg on a connected unix socket: the payload and the fds carried by SCM_RIGHTS.</summary>
    public static (byte[] Data, int[] Fds) Receive(int sock, int max = 65536)
    {
        var data = new byte[max];
        var control = stackalloc byte[64];
        fixed (byte* d = data)
        {
            IoVec iov = new() { Base = d, Len = (nuint)max };
            MsgHdr msg = default;
            msg.Iov = &iov; msg.IovLen = 1; msg.Control = control; msg.ControlLen = 64;
            nint n = recvmsg(sock, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
            if (n < 0) throw new InvalidOperationException($"recvmsg: errno {Marshal.GetLastPInvokeError()}");
            var fds = new List<int>();
            if (msg.ControlLen >= 16)
            {
                nuint len = *(nuint*)control;
                int level = *(int*)(control + 8), type = *(int*)(control + 12);
                if (level == 1 && type == 1)
                    for (nuint off = 16; off + 4 <= len; off += 4) fds.Add(*(int*)(control + off));
            }
            return (data[..(int)n], fds.ToArray());
        }
    }
}

/// <summary>
/// Runs code on a fresh thread: a seccomp filter loaded without TSYNC binds only the calling thread, so a test can
/// load a real filter there and leave the test host's other threads untouched. The thread sets no_new_privs first.
/// </summary>
internal static class FilteredThread
{
    public static T Run<T>(Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                int e = SeccompTestNative.SetNoNewPrivs();
                if (e != 0) throw new InvalidOperationException($"prctl(PR_SET_NO_NEW_PRIVS): errno {e}");
                result = body();
            }
            catch (Exception ex)
            {
                error = ex;
            }
        }, 1 << 20) { IsBackground = true, Name = "seccomp-test" };
        t.Start();
        t.Join();
        if (error is not null) throw new Xunit.Sdk.XunitException($"on the filtered thread: {error}");
        return result;
    }
}
