namespace NRunc.Spec;

/// <summary>Linux capability names (CAP_*) and their bit numbers, up to CAP_CHECKPOINT_RESTORE (kernel 5.9+).</summary>
public static class Capabilities
{
    /// <summary>Highest capability bit known here (CAP_LAST_CAP of kernel 6.x).</summary>
    public const int LastCap = 40;

    private static readonly string[] ByBit =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];

    private static Dictionary<string, int>? s_all;

    /// <summary>Name → bit number, e.g. "CAP_SYS_ADMIN" → 21 (built on first use).</summary>
    public static IReadOnlyDictionary<string, int> All => s_all ??= Build();

    /// <summary>All names in bit order.</summary>
    public static IReadOnlyList<string> Names => ByBit;

    private static Dictionary<string, int> Build()
    {
        var d = new Dictionary<string, int>(ByBit.Length, StringComparer.Ordinal);
        for (int i = 0; i < ByBit.Length; i++) d[ByBit[i]] = i;
        return d;
    }

    /// <summary>Bit number of a CAP_* name (exact, upper case as in config.json), or -1.</summary>
    public static int Parse(string name) => All.TryGetValue(name, out int bit) ? bit : -1;

    /// <summary>Like <see cref="Parse"/> but also accepts lower case and names without "CAP_" (for CLI flags such as `exec --cap`).</summary>
    public static int ParseLenient(string name)
    {
        var upper = name.ToUpperInvariant();
        if (!upper.StartsWith("CAP_", StringComparison.Ordinal)) upper = "CAP_" + upper;
        return Parse(upper);
    }

    /// <summary>Name of a bit number, or null.</summary>
    public static string? Name(int bit) => (uint)bit < (uint)ByBit.Length ? ByBit[bit] : null;
}
