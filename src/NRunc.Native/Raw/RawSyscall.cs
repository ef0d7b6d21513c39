using System.Runtime.InteropServices;

namespace NRunc.Native.Raw;

/// <summary>
/// The only native entry points that code running in a freshly cloned child may use: libc's syscall() and errno,
/// bound at link time (DirectPInvoke) and called without a GC transition, so the child never enters the runtime.
/// </summary>
public static unsafe partial class RawSyscall
{
    [LibraryImport("libc", EntryPoint = "syscall")]
    [SuppressGCTransition]
    public static partial long Call(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "__errno_location")]
    [SuppressGCTransition]
    private static partial int* ErrnoLocation();

    /// <summary>Runs a syscall and returns its result, or -errno on failure (kernel convention).</summary>
    public static long Sys(long number, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
    {
        long r = Call(number, a1, a2, a3, a4, a5, a6);
        return r == -1 ? -*ErrnoLocation() : r;
    }
}

/// <summary>x86_64 system call numbers used by raw code.</summary>
public static class Nr
{
    public const long Read = 0, Write = 1, Open = 2, Close = 3, Ioctl = 16, RtSigprocmask = 14, Getpid = 39, Clone = 56,
        Execve = 59, Exit = 60, Wait4 = 61, Kill = 62, Chdir = 80, Fchdir = 81, Umask = 95, Setsid = 112, Setgroups = 116,
        Setresuid = 117, Setresgid = 119, Capset = 126, Prctl = 157, ExitGroup = 231, Openat = 257, Unshare = 272,
        Dup3 = 292, Prlimit64 = 302, Setns = 308, Seccomp = 317, Execveat = 322, PidfdOpen = 434, CloseRange = 436,
        PidfdSendSignal = 424, Clone3 = 435, Openat2 = 437, MountSetattr = 442, OpenTree = 428, MoveMount = 429,
        PivotRoot = 155, Waitid = 247, Sendmsg = 46;
}
