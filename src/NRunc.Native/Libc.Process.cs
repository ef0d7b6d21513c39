using System.Runtime.InteropServices;

namespace NRunc.Native;

// The container process's own settings (NRunc.Container.Process): hostname, personality, I/O and CPU scheduling,
// the session keyring, the console (pty ioctls) and the terminal proxy. Names that other areas might also want carry
// a Process prefix (ProcessIoctl, ProcessDup3, ProcessSetsid) to avoid clashes.
public static unsafe partial class Libc
{
    const long SYS_ioprio_set = 251, SYS_keyctl = 250, SYS_sched_setattr = 314;

    // prctl(2) options used by the process plan.
    public const int PR_SET_PDEATHSIG = 1, PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38,
        PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_LOWER = 3, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    public const uint CLOSE_RANGE_CLOEXEC = 4;

    // personality(2) domains.
    public const ulong PER_LINUX = 0, PER_LINUX32 = 8;

    // ioprio_set(2).
    public const int IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_NONE = 0, IOPRIO_CLASS_RT = 1, IOPRIO_CLASS_BE = 2,
        IOPRIO_CLASS_IDLE = 3, IOPRIO_CLASS_SHIFT = 13;

    // sched_setattr(2) policies and flags.
    public const uint SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_ISO = 4, SCHED_IDLE = 5,
        SCHED_DEADLINE = 6;
    public const ulong SCHED_FLAG_RESET_ON_FORK = 1, SCHED_FLAG_RECLAIM = 2, SCHED_FLAG_DL_OVERRUN = 4,
        SCHED_FLAG_KEEP_POLICY = 8, SCHED_FLAG_KEEP_PARAMS = 0x10, SCHED_FLAG_UTIL_CLAMP_MIN = 0x20,
        SCHED_FLAG_UTIL_CLAMP_MAX = 0x40;

    // keyctl(2).
    public const int KEYCTL_JOIN_SESSION_KEYRING = 1, KEYCTL_SETPERM = 5, KEYCTL_DESCRIBE = 6;

    // tty ioctls (x86_64/arm64 generic values).
    public const uint TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TIOCSCTTY = 0x540E, TIOCGWINSZ = 0x5413,
        TIOCSWINSZ = 0x5414, TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431, TIOCGPTPEER = 0x5441;

    /// <summary>struct sched_attr (SCHED_ATTR_SIZE_VER1, 56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProcessSchedAttr
    {
        public uint size;
        public uint sched_policy;
        public ulong sched_flags;
        public int sched_nice;
        public uint sched_priority;
        public ulong sched_runtime;
        public ulong sched_deadline;
        public ulong sched_period;
        public uint sched_util_min;
        public uint sched_util_max;
    }

    /// <summary>struct winsize.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProcessWinsize
    {
        public ushort ws_row, ws_col, ws_xpixel, ws_ypixel;
    }

    /// <summary>The kernel's struct termios (TCGETS/TCSETS): 4 flag words, c_line, 19 control characters.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProcessTermios
    {
        public uint c_iflag, c_oflag, c_cflag, c_lflag;
        public byte c_line;
        public fixed byte c_cc[19];
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProcessPollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)] public static partial int ProcessPoll(ProcessPollFd* fds, nuint nfds, int timeout);
    [LibraryImport(Lib, SetLastError = true)] public static partial int sethostname(byte* name, nint len);
    [LibraryImport(Lib, SetLastError = true)] public static partial int setdomainname(byte* name, nint len);
    [LibraryImport(Lib, SetLastError = true)] public static partial int personality(ulong persona);
    [LibraryImport(Lib, SetLastError = true)] public static partial int sched_setaffinity(int pid, nint size, ulong* mask);
    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)] public static partial int ProcessIoctl(int fd, nuint request, void* arg);
    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)] public static partial int ProcessIoctlInt(int fd, nuint request, nint arg);
    [LibraryImport(Lib, EntryPoint = "dup3", SetLastError = true)] public static partial int ProcessDup3(int oldfd, int newfd, int flags);
    [LibraryImport(Lib, EntryPoint = "setsid", SetLastError = true)] public static partial int ProcessSetsid();
    [LibraryImport(Lib, EntryPoint = "isatty", SetLastError = true)] public static partial int ProcessIsatty(int fd);

    public static int ioprio_set(int which, int who, int ioprio) => (int)syscall(SYS_ioprio_set, which, who, ioprio, 0, 0, 0);

    public static int sched_setattr(int pid, ProcessSchedAttr* attr, uint flags) =>
        (int)syscall(SYS_sched_setattr, pid, (long)attr, flags, 0, 0, 0);

    public static long keyctl(int cmd, long a2, long a3, long a4, long a5) => syscall(SYS_keyctl, cmd, a2, a3, a4, a5, 0);
}
