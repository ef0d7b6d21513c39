namespace NRunc.Seccomp;

/// <summary>
/// Where seccomp's debug messages go (runc's "unknown seccomp syscall ... ignored" and the filter flags). The CLI or
/// container library sets <see cref="Debug"/> when debug logging is on; null means the messages are not even formatted.
/// </summary>
public static class SeccompLog
{
    public static Action<string>? Debug { get; set; }
}
