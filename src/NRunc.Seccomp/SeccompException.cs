namespace NRunc.Seccomp;

/// <summary>
/// A seccomp problem for the user: a bad <c>linux.seccomp</c> entry (the message names its JSON path), a missing or
/// too old libseccomp, or a filter the kernel refused. The message is printed as is.
/// </summary>
public sealed class SeccompException : Exception
{
    /// <summary>The JSON path of the offending config entry (<c>linux.seccomp.syscalls[3].action</c>), when there is one.</summary>
    public string? JsonPath { get; }

    /// <summary>errno from libseccomp or the kernel, 0 when the problem is in the config.</summary>
    public int Errno { get; }

    public SeccompException(string message, string? jsonPath = null, int errno = 0) : base(message)
    {
        JsonPath = jsonPath;
        Errno = errno;
    }
}
