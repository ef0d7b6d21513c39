using NRunc.Seccomp.Native;

namespace NRunc.Seccomp;

/// <summary>
/// The names <c>linux.seccomp</c> may use (runtime-spec config-linux.md, libseccomp's seccomp.h spelling), and what
/// they mean to libseccomp and the kernel. Also the lists `nrunc features` reports.
/// </summary>
public static class SeccompNames
{
    // The spec's names live in NRunc.Spec (the validator uses them); features lists them sorted, like runc.

    /// <summary>Actions the spec defines, sorted like runc's features output.</summary>
    public static readonly string[] Actions = Sorted(NRunc.Spec.SpecNames.SeccompActions);

    /// <summary>Argument comparison operators the spec defines.</summary>
    public static readonly string[] Operators = Sorted(NRunc.Spec.SpecNames.SeccompOperators);

    /// <summary>Architectures the spec defines (libseccomp 2.6's list); <see cref="SupportedArchitectures"/> is what this libseccomp knows.</summary>
    public static readonly string[] Architectures = Sorted(NRunc.Spec.SpecNames.SeccompArchs);

    static string[] Sorted(string[] names)
    {
        var copy = (string[])names.Clone();
        Array.Sort(copy, StringComparer.Ordinal);
        return copy;
    }

    /// <summary>Filter flags the spec defines. SECCOMP_FILTER_FLAG_TSYNC is accepted too, as runc does.</summary>
    public static readonly string[] Flags =
    [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ];

    // seccomp(2) filter flags (linux/seccomp.h).
    internal const uint FilterFlagTsync = 1, FilterFlagLog = 2, FilterFlagSpecAllow = 4, FilterFlagNewListener = 8,
        FilterFlagTsyncEsrch = 16, FilterFlagWaitKillableRecv = 32;

    internal enum Action { KillThread, KillProcess, Trap, Errno, Trace, Allow, Log, Notify }

    internal static bool TryParseAction(string? name, out Action action)
    {
        switch (name)
        {
            case "SCMP_ACT_KILL": case "SCMP_ACT_KILL_THREAD": action = Action.KillThread; return true;
            case "SCMP_ACT_KILL_PROCESS": action = Action.KillProcess; return true;
            case "SCMP_ACT_TRAP": action = Action.Trap; return true;
            case "SCMP_ACT_ERRNO": action = Action.Errno; return true;
            case "SCMP_ACT_TRACE": action = Action.Trace; return true;
            case "SCMP_ACT_ALLOW": action = Action.Allow; return true;
            case "SCMP_ACT_LOG": action = Action.Log; return true;
            case "SCMP_ACT_NOTIFY": action = Action.Notify; return true;
            default: action = default; return false;
        }
    }

    /// <summary>The 32-bit action libseccomp takes; ERRNO and TRACE carry the errno (EPERM unless given).</summary>
    internal static uint ToLibseccomp(Action action, uint? errnoRet) => action switch
    {
        Action.KillThread => Libseccomp.ActKillThread,
        Action.KillProcess => Libseccomp.ActKillProcess,
        Action.Trap => Libseccomp.ActTrap,
        Action.Errno => Libseccomp.ActErrno(errnoRet ?? 1),
        Action.Trace => Libseccomp.ActTrace(errnoRet ?? 1),
        Action.Allow => Libseccomp.ActAllow,
        Action.Log => Libseccomp.ActLog,
        Action.Notify => Libseccomp.ActNotify,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    internal static int ParseOperator(string? name) => name switch
    {
        "SCMP_CMP_NE" => Libseccomp.CmpNe,
        "SCMP_CMP_LT" => Libseccomp.CmpLt,
        "SCMP_CMP_LE" => Libseccomp.CmpLe,
        "SCMP_CMP_EQ" => Libseccomp.CmpEq,
        "SCMP_CMP_GE" => Libseccomp.CmpGe,
        "SCMP_CMP_GT" => Libseccomp.CmpGt,
        "SCMP_CMP_MASKED_EQ" => Libseccomp.CmpMaskedEq,
        _ => 0,
    };

    internal static uint ParseFlag(string? name) => name switch
    {
        "SECCOMP_FILTER_FLAG_TSYNC" => FilterFlagTsync,
        "SECCOMP_FILTER_FLAG_LOG" => FilterFlagLog,
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => FilterFlagSpecAllow,
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => FilterFlagWaitKillableRecv,
        _ => 0,
    };

    /// <summary>libseccomp's own name for a spec architecture ("SCMP_ARCH_X86_64" is "x86_64"), or null when the spec has no such name.</summary>
    internal static string? LibseccompArchName(string? name)
    {
        if (name is null || Array.IndexOf(Architectures, name) < 0) return null;
        return name["SCMP_ARCH_".Length..].ToLowerInvariant();
    }

    /// <summary>The spec architectures that the installed libseccomp knows (`features`); opens libseccomp.</summary>
    public static unsafe string[] SupportedArchitectures()
    {
        var lib = Libseccomp.Instance;
        var list = new List<string>();
        foreach (var a in Architectures)
        {
            fixed (byte* p = NRunc.Native.Utf8.Z(LibseccompArchName(a)!))
                if (lib.seccomp_arch_resolve_name(p) != 0) list.Add(a);
        }
        return [.. list];
    }

    /// <summary>The spec's filter flags this kernel accepts (`features` supportedFlags); TSYNC included, as runc lists it.</summary>
    public static string[] SupportedFlags()
    {
        var list = new List<string>();
        foreach (var f in Flags)
            if (KernelSeccomp.FlagSupported(ParseFlag(f))) list.Add(f);
        return [.. list];
    }

    /// <summary>"2.5.4": the libseccomp version in use (opens libseccomp).</summary>
    public static string LibseccompVersion => Libseccomp.Instance.VersionString;
}
