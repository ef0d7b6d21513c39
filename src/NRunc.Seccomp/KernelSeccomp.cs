using System.Runtime.InteropServices;
using NRunc.Seccomp.Native;

namespace NRunc.Seccomp;

/// <summary>The seccomp(2) syscall itself: installing a BPF program and probing which filter flags the kernel knows.</summary>
internal static unsafe class KernelSeccomp
{
    static uint s_probed, s_supported;

    /// <summary>
    /// Whether the kernel accepts <paramref name="flag"/>: seccomp(SET_MODE_FILTER, flag, NULL) fails with EFAULT
    /// (it got as far as reading the program) for a known flag and EINVAL for an unknown one, as libseccomp probes.
    /// </summary>
    public static bool FlagSupported(uint flag)
    {
        if ((Volatile.Read(ref s_probed) & flag) != 0) return (Volatile.Read(ref s_supported) & flag) != 0;
        uint probe = flag;
        if ((flag & (SeccompNames.FilterFlagWaitKillableRecv | SeccompNames.FilterFlagTsyncEsrch)) != 0)
            probe |= SeccompNames.FilterFlagNewListener;   // the kernel only takes these two with a listener
        if ((flag & SeccompNames.FilterFlagTsyncEsrch) != 0) probe |= SeccompNames.FilterFlagTsync;
        long r = SeccompLibc.syscall(SeccompLibc.SeccompSyscallNumber, SeccompLibc.SECCOMP_SET_MODE_FILTER, probe, 0);
        bool ok = r < 0 && Marshal.GetLastPInvokeError() == NRunc.Native.Errno.EFAULT;
        if (ok) Interlocked.Or(ref s_supported, flag);
        Interlocked.Or(ref s_probed, flag);
        return ok;
    }

    /// <summary>
    /// seccomp(SECCOMP_SET_MODE_FILTER, flags, prog): the calling thread (all threads with TSYNC) gets the filter.
    /// Returns the syscall's result (the listener fd with NEW_LISTENER) or -errno.
    /// </summary>
    public static long SetModeFilter(uint flags, void* program, int instructions)
    {
        SeccompLibc.SockFprog prog;
        prog.Len = (ushort)instructions;
        prog.Filter = program;
        long r = SeccompLibc.syscall(SeccompLibc.SeccompSyscallNumber, SeccompLibc.SECCOMP_SET_MODE_FILTER, flags, (nint)(&prog));
        return r < 0 ? -Marshal.GetLastPInvokeError() : r;
    }
}
