namespace NRunc.Seccomp;

/// <summary>
/// A seccomp problem outside config.json's content: a missing or too old libseccomp, a kernel that refuses the
/// filter, an unreachable seccomp agent. The message is printed as is. (A bad <c>linux.seccomp</c> entry is a
/// <see cref="NRunc.Spec.SpecException"/> naming its JSON path.)
/// </summary>
public sealed class SeccompException : Exception
{
    /// <summary>errno from libseccomp or the kernel, 0 when there is none.</summary>
    public int Errno { get; }

    public SeccompException(string message, int errno = 0) : base(message)
    {
        Errno = errno;
    }
}
