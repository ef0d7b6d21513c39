using System.Runtime.InteropServices;

namespace NRunc.Native;

/// <summary>
/// Calls used by the state store and the verbs that do not start processes (locks, atomic writes, pidfds).
/// Prefixed names so other areas' partial files can import the same libc functions under the plain name.
/// </summary>
public static unsafe partial class Libc
{
    const long StateSysPidfdSendSignal = 424, StateSysPidfdOpen = 434;

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)] public static partial int StateFlock(int fd, int operation);
    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)] public static partial int StateFsync(int fd);
    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true)] public static partial int StateMkdir(byte* path, uint mode);
    [LibraryImport(Lib, EntryPoint = "rename", SetLastError = true)] public static partial int StateRename(byte* oldpath, byte* newpath);
    [LibraryImport(Lib, EntryPoint = "geteuid", SetLastError = true)] public static partial uint StateGeteuid();
    [LibraryImport(Lib, EntryPoint = "getegid", SetLastError = true)] public static partial uint StateGetegid();
    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)] public static partial int StatePoll(StatePollFd* fds, nuint nfds, int timeout);

    /// <summary>pidfd_open(2): a handle that keeps naming this process even after its pid is reused.</summary>
    public static int StatePidfdOpen(int pid, uint flags) => (int)syscall(StateSysPidfdOpen, pid, flags, 0, 0, 0, 0);

    /// <summary>pidfd_send_signal(2) with no siginfo.</summary>
    public static int StatePidfdSendSignal(int pidfd, int sig, uint flags) =>
        (int)syscall(StateSysPidfdSendSignal, pidfd, sig, 0, flags, 0, 0);
}

/// <summary>Constants for the calls above (own names so other partial files can define theirs).</summary>
public static class StateConst
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
        O_APPEND = 0x400, O_SYNC = 0x101000, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    public const short POLLIN = 1;
}

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StatePollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}
