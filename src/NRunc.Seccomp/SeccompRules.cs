using NRunc.Spec;
using static NRunc.Seccomp.SeccompNames;

namespace NRunc.Seccomp;

/// <summary>
/// <c>linux.seccomp</c> checked and flattened into the rules libseccomp is given, without touching libseccomp:
/// one rule per syscall name (as runc's specconv does), actions as libseccomp values, flags as seccomp(2) bits.
/// Every error is a <see cref="SpecException"/> naming the JSON path of the entry at fault.
/// </summary>
internal sealed class SeccompRules
{
    internal readonly record struct Condition(uint Index, int Op, ulong Value, ulong ValueTwo);

    /// <summary>One syscall name with its action; <see cref="Path"/> points at its names[] entry for error messages.</summary>
    internal sealed record Rule(string Name, uint Action, bool IsNotify, Condition[] Conditions, string Path);

    public const int MaxSyscallArgs = 6;
    const string Root = "linux.seccomp";

    public required uint DefaultAction { get; init; }
    public required List<(string Name, string LibName, string Path)> Architectures { get; init; }
    /// <summary>seccomp(2) flags named by the config (or the default SPEC_ALLOW), before kernel support is checked.</summary>
    public required List<(uint Flag, string Name, string Path)> Flags { get; init; }
    /// <summary>True when <c>flags</c> was absent, so SPEC_ALLOW is a default to drop silently if unsupported.</summary>
    public required bool DefaultFlags { get; init; }
    public required List<Rule> Rules { get; init; }
    public required bool UsesNotify { get; init; }
    public string? ListenerPath { get; init; }
    public string? ListenerMetadata { get; init; }

    /// <summary>True when the section asks for a filter at all (runc treats no defaultAction and no syscalls as off).</summary>
    public static bool IsEnabled(LinuxSeccomp? spec) =>
        spec is not null && (!string.IsNullOrEmpty(spec.DefaultAction) || spec.Syscalls is { Count: > 0 });

    /// <summary>A config.json error: "config.json: linux.seccomp.syscalls[3].action: unknown action ...".</summary>
    internal static SpecException Error(string path, string what) => new("config.json", path, what);

    public static SeccompRules Parse(LinuxSeccomp spec)
    {
        ArgumentNullException.ThrowIfNull(spec);

        if (string.IsNullOrEmpty(spec.DefaultAction))
            throw Error($"{Root}.defaultAction", "required when syscalls are given");
        if (!TryParseAction(spec.DefaultAction, out var defAct))
            throw Error($"{Root}.defaultAction", $"unknown action \"{spec.DefaultAction}\"");
        if (defAct == SeccompNames.Action.Notify)
            throw Error($"{Root}.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
        CheckErrnoRet(defAct, spec.DefaultErrnoRet, $"{Root}.defaultErrnoRet");
        var defaultAction = ToLibseccomp(defAct, spec.DefaultErrnoRet);

        var arches = new List<(string, string, string)>();
        if (spec.Architectures is { } archList)
        {
            for (int i = 0; i < archList.Count; i++)
            {
                var path = $"{Root}.architectures[{i}]";
                var lib = LibseccompArchName(archList[i]) ?? throw Error(path, $"unknown architecture \"{archList[i]}\"");
                arches.Add((archList[i], lib, path));
            }
        }

        var flags = new List<(uint, string, string)>();
        if (spec.Flags is null)
        {
            // As runc 1.2+: without an explicit list (not even an empty one), turn off the kernel's speculative
            // store bypass mitigation that a seccomp filter otherwise forces on, when the kernel allows it.
            flags.Add((FilterFlagSpecAllow, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", $"{Root}.flags"));
        }
        else
        {
            for (int i = 0; i < spec.Flags.Count; i++)
            {
                var f = ParseFlag(spec.Flags[i]);
                if (f == 0) throw Error($"{Root}.flags[{i}]", $"unknown flag \"{spec.Flags[i]}\"");
                flags.Add((f, spec.Flags[i], $"{Root}.flags[{i}]"));
            }
        }

        var rules = new List<Rule>();
        bool usesNotify = false;
        var syscalls = spec.Syscalls ?? [];
        for (int i = 0; i < syscalls.Count; i++)
        {
            var sc = syscalls[i];
            var at = $"{Root}.syscalls[{i}]";
            if (sc is null) throw Error(at, "must be an object");
            if (string.IsNullOrEmpty(sc.Action)) throw Error($"{at}.action", "required");
            if (!TryParseAction(sc.Action, out var act))
                throw Error($"{at}.action", $"unknown action \"{sc.Action}\"");
            CheckErrnoRet(act, sc.ErrnoRet, $"{at}.errnoRet");
            if (sc.Names is null || sc.Names.Count == 0)
                throw Error($"{at}.names", "must contain at least one syscall name");

            var conds = new Condition[sc.Args?.Count ?? 0];
            for (int j = 0; j < conds.Length; j++)
            {
                var a = sc.Args![j];
                var ap = $"{at}.args[{j}]";
                if (a is null) throw Error(ap, "must be an object");
                if (a.Index >= MaxSyscallArgs)
                    throw Error($"{ap}.index", $"{a.Index} is out of range: a syscall has arguments 0 to {MaxSyscallArgs - 1}");
                var op = ParseOperator(a.Op);
                if (op == 0) throw Error($"{ap}.op", $"unknown operator \"{a.Op}\"");
                conds[j] = new Condition(a.Index, op, a.Value, a.ValueTwo);
            }

            var action = ToLibseccomp(act, sc.ErrnoRet);
            bool notify = act == SeccompNames.Action.Notify;
            for (int k = 0; k < sc.Names.Count; k++)
            {
                var name = sc.Names[k];
                var np = $"{at}.names[{k}]";
                if (string.IsNullOrEmpty(name)) throw Error(np, "empty syscall name");
                if (notify && name == "write")
                    // init reports the notify fd to its parent with write(2): that call must not wait for the agent.
                    throw Error(np, "SCMP_ACT_NOTIFY cannot be used for the write syscall");
                rules.Add(new Rule(name, action, notify, conds, np));
            }
            usesNotify |= notify;
        }

        if (!string.IsNullOrEmpty(spec.ListenerMetadata) && string.IsNullOrEmpty(spec.ListenerPath))
            throw Error($"{Root}.listenerMetadata", "must not be set without listenerPath");
        if (usesNotify && string.IsNullOrEmpty(spec.ListenerPath))
            throw Error($"{Root}.listenerPath", "required when a rule uses SCMP_ACT_NOTIFY (the notify fd goes to that agent)");

        for (int i = 0; i < flags.Count; i++)
        {
            if (flags[i].Item1 == FilterFlagWaitKillableRecv && !usesNotify)
                throw Error(flags[i].Item3, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY");
        }

        return new SeccompRules
        {
            DefaultAction = defaultAction,
            Architectures = arches,
            Flags = flags,
            DefaultFlags = spec.Flags is null,
            Rules = rules,
            UsesNotify = usesNotify,
            ListenerPath = spec.ListenerPath,
            ListenerMetadata = spec.ListenerMetadata,
        };
    }

    static void CheckErrnoRet(SeccompNames.Action act, uint? errnoRet, string path)
    {
        if (errnoRet is not { } e) return;
        if (act is not (SeccompNames.Action.Errno or SeccompNames.Action.Trace))
            throw Error(path, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno");
        if (e > 0xffff) throw Error(path, $"{e} is out of range (at most 65535)");
    }

    /// <summary>
    /// Condition sets to add for one rule, as runc does: all conditions in one rule (AND), unless two of them test the
    /// same argument, in which case each condition becomes a rule of its own (libseccomp cannot AND two tests of one
    /// argument, and runc's older behaviour was OR).
    /// </summary>
    public static Condition[][] ConditionSets(Condition[] conds)
    {
        Span<int> seen = stackalloc int[MaxSyscallArgs];
        bool repeated = false;
        foreach (var c in conds) repeated |= ++seen[(int)c.Index] > 1;
        if (!repeated) return [conds];
        var sets = new Condition[conds.Length][];
        for (int i = 0; i < conds.Length; i++) sets[i] = [conds[i]];
        return sets;
    }
}
