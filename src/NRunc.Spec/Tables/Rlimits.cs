namespace NRunc.Spec;

/// <summary>RLIMIT_* names ↔ resource numbers (Linux, asm-generic).</summary>
public static class Rlimits
{
    private static readonly string[] ByNumber =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>RLIM_INFINITY.</summary>
    public const ulong Infinity = ulong.MaxValue;

    /// <summary>All names in resource-number order.</summary>
    public static IReadOnlyList<string> Names => ByNumber;

    /// <summary>Resource number for "RLIMIT_NOFILE" etc., or -1 when unknown.</summary>
    public static int Parse(string name) => Array.IndexOf(ByNumber, name);

    public static string? Name(int resource) => (uint)resource < (uint)ByNumber.Length ? ByNumber[resource] : null;
}
