using System.Runtime.InteropServices;

namespace NRunc.Native;

/// <summary>Calls the parent side of create/start/run/exec makes: sockets, pipes, waiting, fd plumbing.</summary>
public static unsafe partial class Libc
{
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    public const int F_DUPFD_CLOEXEC = 1030, F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
    public const int WNOHANG = 1, WEXITED = 4, P_PID = 1, P_PIDFD = 3, __WALL = 0x40000000;
    public const int O_CLOEXEC_FLAG = 0x80000;
    public const uint NS_GET_NSTYPE = 0xb703;
    public const int AT_FDCWD_LIFECYCLE = -100;

    public const short POLL_IN = 1, POLL_HUP = 0x10;
    [StructLayout(LayoutKind.Sequential)] public struct PollFd { public int Fd; public short Events; public short Revents; }
    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)] public static partial int PollFds(PollFd* fds, nuint nfds, int timeout);
    [LibraryImport(Lib, EntryPoint = "geteuid")] public static partial uint EffectiveUid();
    [LibraryImport(Lib, SetLastError = true)] public static partial int socketpair(int domain, int type, int protocol, int* sv);
    [LibraryImport(Lib, SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)] public static partial int fcntl_int(int fd, int cmd, int arg);
    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)] public static partial int ioctl_noarg(int fd, nuint request);
    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)] public static partial int IoctlPtr(int fd, nuint request, void* arg);
    [LibraryImport(Lib, EntryPoint = "if_nametoindex", SetLastError = true)] public static partial uint IfNameToIndex(byte* name);
    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)] public static partial nint SendBytes(int fd, byte* buf, nint len, int flags);
    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)] public static partial nint RecvBytes(int fd, byte* buf, nint len, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(Lib, SetLastError = true)] public static partial int mkfifo(byte* path, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int unlink(byte* path);
    [LibraryImport(Lib, EntryPoint = "connect", SetLastError = true)] public static partial int connect(int fd, byte* addr, int len);
    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)] public static partial nint recvmsg(int fd, void* msg, int flags);
    [LibraryImport(Lib, EntryPoint = "sendmsg", SetLastError = true)] public static partial nint sendmsg(int fd, void* msg, int flags);

    /// <summary>pidfd_open(2): -1 with errno set when the process is gone.</summary>
    public static int PidfdOpen(int pid) => (int)syscall(434, pid, 0, 0, 0, 0, 0);

    /// <summary>Connects a new AF_UNIX stream socket (O_CLOEXEC) to <paramref name="path"/>.</summary>
    public static int ConnectUnix(string path)
    {
        int fd = NativeException.Check(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket", path);
        var p = Utf8.Z(path);
        if (p.Length > 108) { close(fd); throw new NativeException("connect", path, Errno.ENAMETOOLONG); }
        byte* addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = AF_UNIX;
        p.CopyTo(new Span<byte>(addr + 2, 108));
        if (connect(fd, addr, 2 + p.Length) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            close(fd);
            throw new NativeException("connect", path, e);
        }
        return fd;
    }
}
