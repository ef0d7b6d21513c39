using System.Runtime.InteropServices;

namespace NRunc.Native.Raw;

/// <summary>One step of a raw program. Arguments that point at data refer into the program's own native block.</summary>
public enum RawOpCode : int
{
    Exit = 1,          // a0 = status
    Setns,             // a0 = fd, a1 = nstype
    Unshare,           // a0 = flags
    SyncSend,          // a0 = fd, a1 = 32-bit value written
    SyncWait,          // a0 = fd, a1 = 32-bit value expected (EOF or another value fails)
    WriteFile,         // a0 = path, a1 = data, a2 = length: open O_WRONLY, write all, close
    Prlimit,           // a0 = resource, a1 = soft, a2 = hard
    Setgroups,         // a0 = count, a1 = gid_t array
    Setresgid,         // a0 = gid (real, effective, saved)
    Setresuid,         // a0 = uid (real, effective, saved)
    Prctl,             // a0 = option, a1..a4 = arguments
    Capset,            // a0 = cap header + 2 data structs (8 + 24 bytes)
    Seccomp,           // a0 = sock_filter array, a1 = instruction count, a2 = flags
    Chdir,             // a0 = path
    Umask,             // a0 = mask
    CloseRange,        // a0 = first, a1 = last, a2 = flags
    Dup3,              // a0 = old fd, a1 = new fd, a2 = flags (old == new: clears FD_CLOEXEC instead)
    Setsid,            //
    Ioctl,             // a0 = fd, a1 = request, a2 = argument
    ForkReportExit,    // a0 = clone flags (exit signal SIGCHLD is added), a1 = fd: the parent side writes the child pid there and exits 0
    Execve,            // a0 = path, a1 = argv, a2 = envp
    Execvp,            // a0 = NULL-terminated array of candidate paths, a1 = argv, a2 = envp: like execvp, first that is not ENOENT
    Execveat,          // a0 = fd (AT_EMPTY_PATH), a1 = argv, a2 = envp
    OpenWriteByte,     // a0 = path, a1 = byte: open O_WRONLY|O_CLOEXEC (blocks on a fifo until a reader comes), write one byte, close
    SignalMaskRestore, // restores the signal mask saved when the program started (before exec)
    Fchdir,            // a0 = fd
    SetnsPidfd,        // a0 = pidfd, a1 = CLONE_NEW* flags (setns with a pidfd joins several at once)
    Syscall,           // a0 = number, a1..a4 = arguments: any other per-thread setting (set_mempolicy, ...)
    SeccompListener,   // a0..a2 as Seccomp (flags include NEW_LISTENER), a3 = socket: the listener fd is sent there (SCM_RIGHTS, 4-byte payload), then closed
}

[StructLayout(LayoutKind.Sequential)]
public struct RawOp
{
    public RawOpCode Code;
    public int Reserved;
    public long A0, A1, A2, A3, A4;
}

/// <summary>Header of a program block: the ops follow it, then the data.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RawProgramHeader
{
    public int OpCount;
    /// <summary>fd that receives a <see cref="RawFailure"/> when an op fails; -1 for none.</summary>
    public int ErrorFd;
    /// <summary>Signal mask to restore before exec (saved by the spawner).</summary>
    public ulong SavedSigmask;
}

/// <summary>What a failed raw program reports on its error fd before it exits with status 1.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RawFailure
{
    public const int MagicValue = 0x6e72756e; // "nrun"
    public int Magic;
    public int OpIndex;
    public int Errno;
    public int Reserved;
}
