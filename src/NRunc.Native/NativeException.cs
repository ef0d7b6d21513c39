namespace NRunc.Native;

/// <summary>
/// A failed system call: carries the call, the path or object it acted on, and errno,
/// so that every error that reaches the user says what was attempted and where.
/// </summary>
public sealed class NativeException : Exception
{
    public string Call { get; }
    public string? Target { get; }
    public int Errno { get; }

    public NativeException(string call, string? target, int errno)
        : base(Format(call, target, errno))
    {
        Call = call;
        Target = target;
        Errno = errno;
    }

    /// <summary>strerror-style text for errno, lower-case as Go's syscall.Errno prints it (runc's wording).</summary>
    public static string Describe(int errno) => NRunc.Native.Errno.Describe(errno);

    static string Format(string call, string? target, int errno) =>
        target is null ? $"{call}: {Describe(errno)}" : $"{call} {target}: {Describe(errno)}";

    /// <summary>Throws when <paramref name="result"/> is negative, reading errno from the last P/Invoke.</summary>
    public static int Check(int result, string call, string? target = null)
    {
        if (result < 0) throw new NativeException(call, target, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        return result;
    }

    public static long Check(long result, string call, string? target = null)
    {
        if (result < 0) throw new NativeException(call, target, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        return result;
    }
}
