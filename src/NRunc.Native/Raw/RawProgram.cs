using System.Runtime.InteropServices;

namespace NRunc.Native.Raw;

/// <summary>
/// A built program in native memory (see <see cref="RawProgramBuilder"/>). Spawned, it runs in a child created by a raw
/// clone; run here, it executes on the calling thread (init uses that for the final steps before exec).
/// </summary>
public sealed unsafe class RawProgram : IDisposable
{
    byte* _block;
    readonly string[] _what;

    internal RawProgram(byte* block, string[] what) { _block = block; _what = what; }

    public RawProgramHeader* Header => (RawProgramHeader*)_block;

    /// <summary>What op <paramref name="index"/> does, for error messages.</summary>
    public string Describe(int index) => index >= 0 && index < _what.Length ? _what[index] : $"step {index}";

    /// <summary>The error message for a failure the program reported.</summary>
    public string DescribeFailure(int index, int errno) => $"{Describe(index)}: {Errno.Describe(errno)}";

    /// <summary>
    /// Clones the calling process with <paramref name="cloneFlags"/> (never CLONE_VM) and runs the program in the child.
    /// All signals are blocked across the clone so that no .NET handler runs in the child; the program's
    /// <see cref="RawOpCode.SignalMaskRestore"/> op restores the mask before exec. Returns the child's pid.
    /// </summary>
    public int Spawn(ulong cloneFlags)
    {
        ulong all = ~0UL, old = 0;
        RawSyscall.Sys(Nr.RtSigprocmask, 2 /* SIG_SETMASK */, (long)&all, (long)&old, 8);
        Header->SavedSigmask = old;
        long pid = RawSyscall.Sys(Nr.Clone, (long)(cloneFlags | 17 /* SIGCHLD */), 0, 0, 0, 0);
        if (pid == 0)
        {
            RawInterpreter.RunInChild(Header);
            RawSyscall.Sys(Nr.ExitGroup, 127);
        }
        RawSyscall.Sys(Nr.RtSigprocmask, 2, (long)&old, 0, 8);
        if (pid < 0) throw new NativeException("clone", null, (int)-pid);
        return (int)pid;
    }

    /// <summary>Runs the program on this thread. Returns normally only if every op succeeded without exec.</summary>
    public void RunHere()
    {
        ulong current = 0;
        RawSyscall.Sys(Nr.RtSigprocmask, 2, 0, (long)&current, 8);
        Header->SavedSigmask = current;
        int failed = RawInterpreter.Run(Header, out int errno);
        if (failed >= 0) throw new RawProgramException(Describe(failed), errno);
    }

    /// <summary>Reads a <see cref="RawFailure"/> from <paramref name="fd"/>; null on EOF (the program exec'd or exited cleanly).</summary>
    public static RawFailure? ReadFailure(int fd)
    {
        RawFailure f;
        long n;
        do n = RawSyscall.Sys(Nr.Read, fd, (long)&f, sizeof(RawFailure)); while (n == -4);
        return n == sizeof(RawFailure) && f.Magic == RawFailure.MagicValue ? f : null;
    }

    public void Dispose()
    {
        if (_block != null) { NativeMemory.Free(_block); _block = null; }
    }
}

/// <summary>A raw program step failed: the step's description and errno.</summary>
public sealed class RawProgramException(string step, int errno) : Exception($"{step}: {NRunc.Native.Errno.Describe(errno)}")
{
    public string Step { get; } = step;
    public int Errno { get; } = errno;
}
