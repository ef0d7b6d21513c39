using System.Runtime.CompilerServices;

namespace NRunc.Native.Raw;

/// <summary>
/// Runs a raw program. This code may execute in a child made by a raw clone of a multi-threaded .NET process, so it
/// must only do pointer arithmetic on the program block and call <see cref="RawSyscall"/>: no allocation, no managed
/// objects, no statics that need initialisation, no exceptions.
/// </summary>
public static unsafe class RawInterpreter
{
    const long SIGCHLD = 17;
    const int SIG_SETMASK = 2;
    const int AT_EMPTY_PATH = 0x1000;
    const int O_WRONLY = 1, O_CLOEXEC = 0x80000;
    const int ENOENT = 2, EACCES = 13, ENOTDIR = 20;

    /// <summary>
    /// Runs the ops in order. Returns -1 when the program ran to its end without exec or exit; otherwise returns the
    /// index of the op that failed and stores errno in <paramref name="errno"/>.
    /// </summary>
    [SkipLocalsInit]
    public static int Run(RawProgramHeader* header, out int errno)
    {
        var ops = (RawOp*)((byte*)header + ((sizeof(RawProgramHeader) + 7) & ~7));
        errno = 0;
        for (int i = 0; i < header->OpCount; i++)
        {
            RawOp* op = ops + i;
            long r = Step(header, op);
            if (r < 0) { errno = (int)-r; return i; }
        }
        return -1;
    }

    /// <summary>Child entry: runs the program and never returns; a failure is written to the error fd, then exit 1.</summary>
    [SkipLocalsInit]
    public static void RunInChild(RawProgramHeader* header)
    {
        int failed = Run(header, out int errno);
        if (failed >= 0 && header->ErrorFd >= 0)
        {
            RawFailure f;
            f.Magic = RawFailure.MagicValue; f.OpIndex = failed; f.Errno = errno; f.Reserved = 0;
            RawSyscall.Sys(Nr.Write, header->ErrorFd, (long)&f, sizeof(RawFailure));
        }
        RawSyscall.Sys(Nr.ExitGroup, failed >= 0 ? 1 : 0);
    }

    [SkipLocalsInit]
    static long Step(RawProgramHeader* header, RawOp* op)
    {
        switch (op->Code)
        {
            case RawOpCode.Exit:
                return RawSyscall.Sys(Nr.ExitGroup, op->A0);
            case RawOpCode.Setns:
                return RawSyscall.Sys(Nr.Setns, op->A0, op->A1);
            case RawOpCode.SetnsPidfd:
                return RawSyscall.Sys(Nr.Setns, op->A0, op->A1);
            case RawOpCode.Unshare:
                return RawSyscall.Sys(Nr.Unshare, op->A0);
            case RawOpCode.SyncSend:
            {
                int v = (int)op->A1;
                long r = RawSyscall.Sys(Nr.Write, op->A0, (long)&v, 4);
                return r < 0 ? r : r == 4 ? 0 : -5;
            }
            case RawOpCode.SyncWait:
            {
                int v = 0;
                long r;
                do r = RawSyscall.Sys(Nr.Read, op->A0, (long)&v, 4); while (r == -4);
                if (r < 0) return r;
                return r == 4 && v == (int)op->A1 ? 0 : -32; // EPIPE: the other side went away or disagreed
            }
            case RawOpCode.WriteFile:
            {
                long fd = RawSyscall.Sys(Nr.Open, op->A0, O_WRONLY | O_CLOEXEC, 0);
                if (fd < 0) return fd;
                long r = RawSyscall.Sys(Nr.Write, fd, op->A1, op->A2);
                RawSyscall.Sys(Nr.Close, fd);
                return r < 0 ? r : r == op->A2 ? 0 : -5;
            }
            case RawOpCode.Prlimit:
            {
                long* lim = stackalloc long[2];
                lim[0] = op->A1; lim[1] = op->A2;
                return RawSyscall.Sys(Nr.Prlimit64, 0, op->A0, (long)lim, 0);
            }
            case RawOpCode.Setgroups:
                return RawSyscall.Sys(Nr.Setgroups, op->A0, op->A1);
            case RawOpCode.Setresgid:
                return RawSyscall.Sys(Nr.Setresgid, op->A0, op->A0, op->A0);
            case RawOpCode.Setresuid:
                return RawSyscall.Sys(Nr.Setresuid, op->A0, op->A0, op->A0);
            case RawOpCode.Prctl:
                return RawSyscall.Sys(Nr.Prctl, op->A0, op->A1, op->A2, op->A3, op->A4);
            case RawOpCode.Capset:
                return RawSyscall.Sys(Nr.Capset, op->A0, op->A0 + 8);
            case RawOpCode.Seccomp:
            {
                // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
                long* prog = stackalloc long[2];
                prog[0] = op->A1; prog[1] = op->A0;
                return RawSyscall.Sys(Nr.Seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, op->A2, (long)prog);
            }
            case RawOpCode.Chdir:
                return RawSyscall.Sys(Nr.Chdir, op->A0);
            case RawOpCode.Fchdir:
                return RawSyscall.Sys(Nr.Fchdir, op->A0);
            case RawOpCode.Umask:
                RawSyscall.Sys(Nr.Umask, op->A0);
                return 0;
            case RawOpCode.CloseRange:
                return RawSyscall.Sys(Nr.CloseRange, op->A0, op->A1, op->A2);
            case RawOpCode.Dup3:
                if (op->A0 == op->A1) return RawSyscall.Sys(72 /* fcntl */, op->A0, 2 /* F_SETFD */, 0);
                return RawSyscall.Sys(Nr.Dup3, op->A0, op->A1, op->A2);
            case RawOpCode.Setsid:
                return RawSyscall.Sys(Nr.Setsid);
            case RawOpCode.Ioctl:
                return RawSyscall.Sys(Nr.Ioctl, op->A0, op->A1, op->A2);
            case RawOpCode.ForkReportExit:
            {
                long pid = RawSyscall.Sys(Nr.Clone, op->A0 | SIGCHLD, 0, 0, 0, 0);
                if (pid < 0) return pid;
                if (pid == 0) return 0; // the child goes on with the next op
                int v = (int)pid;
                RawSyscall.Sys(Nr.Write, op->A1, (long)&v, 4);
                RawSyscall.Sys(Nr.ExitGroup, 0);
                return 0;
            }
            case RawOpCode.SignalMaskRestore:
            {
                ulong mask = header->SavedSigmask;
                return RawSyscall.Sys(Nr.RtSigprocmask, SIG_SETMASK, (long)&mask, 0, 8);
            }
            case RawOpCode.Execve:
                return RawSyscall.Sys(Nr.Execve, op->A0, op->A1, op->A2);
            case RawOpCode.Execveat:
                return RawSyscall.Sys(Nr.Execveat, op->A0, (long)"\0"u8.GetPinnableReferenceUnsafe(), op->A1, op->A2, AT_EMPTY_PATH);
            case RawOpCode.Execvp:
            {
                long* candidates = (long*)op->A0;
                long result = -ENOENT;
                for (; *candidates != 0; candidates++)
                {
                    long r = RawSyscall.Sys(Nr.Execve, *candidates, op->A1, op->A2);
                    // Like execvp: a missing or non-directory entry moves on; remember EACCES to report it.
                    if (r == -EACCES) result = r;
                    else if (r != -ENOENT && r != -ENOTDIR) return r;
                }
                return result;
            }
            case RawOpCode.OpenWriteByte:
            {
                long fd;
                do fd = RawSyscall.Sys(Nr.Open, op->A0, O_WRONLY | O_CLOEXEC, 0); while (fd == -4);
                if (fd < 0) return fd;
                byte b = (byte)op->A1;
                long r = RawSyscall.Sys(Nr.Write, fd, (long)&b, 1);
                RawSyscall.Sys(Nr.Close, fd);
                return r < 0 ? r : 0;
            }
            case RawOpCode.Syscall:
                return RawSyscall.Sys(op->A0, op->A1, op->A2, op->A3, op->A4);
            case RawOpCode.SeccompListener:
            {
                long* prog = stackalloc long[2];
                prog[0] = op->A1; prog[1] = op->A0;
                long fd = RawSyscall.Sys(Nr.Seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, op->A2, (long)prog);
                if (fd < 0) return fd;
                long r = SendFd(op->A3, (int)fd);
                RawSyscall.Sys(Nr.Close, fd);
                return r;
            }
            default:
                return -22;
        }
    }

    /// <summary>sendmsg of a 4-byte payload (the fd number) with <paramref name="fd"/> attached as SCM_RIGHTS.</summary>
    [SkipLocalsInit]
    static long SendFd(long socket, int fd)
    {
        // struct iovec; struct msghdr (56 bytes); cmsghdr { size_t len; int level; int type; } + one int, padded to 24
        long* iov = stackalloc long[2];
        long* msg = stackalloc long[7];
        long* cmsg = stackalloc long[3];
        int payload = fd;
        iov[0] = (long)&payload; iov[1] = 4;
        cmsg[0] = 20;                              // CMSG_LEN(sizeof(int))
        ((int*)cmsg)[2] = 1;                       // SOL_SOCKET
        ((int*)cmsg)[3] = 1;                       // SCM_RIGHTS
        ((int*)cmsg)[4] = fd;
        ((int*)cmsg)[5] = 0;
        msg[0] = 0; msg[1] = 0;                    // msg_name, msg_namelen
        msg[2] = (long)iov; msg[3] = 1;            // msg_iov, msg_iovlen
        msg[4] = (long)cmsg; msg[5] = 24;          // msg_control, msg_controllen (CMSG_SPACE(sizeof(int)))
        msg[6] = 0;                                // msg_flags
        long r;
        do r = RawSyscall.Sys(Nr.Sendmsg, socket, (long)msg, 0x4000 /* MSG_NOSIGNAL */); while (r == -4);
        return r < 0 ? r : r == 4 ? 0 : -5;
    }
}

static class Utf8LiteralExtensions
{
    public static unsafe byte* GetPinnableReferenceUnsafe(this ReadOnlySpan<byte> literal)
    {
        // u8 literals live in the image's read-only data: their address is stable, no pinning needed.
        fixed (byte* p = literal) return p;
    }
}
