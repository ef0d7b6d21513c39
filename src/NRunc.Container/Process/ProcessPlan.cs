using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Spec;

namespace NRunc.Container.Process;

/// <summary>
/// The last steps before the container's program starts, as raw ops: they run in exec's cloned child, or in init on
/// the thread that then execs (<see cref="RawProgram.RunHere"/>), so per-thread credentials (setresuid, capset,
/// no_new_privs, seccomp) apply to the thread that execs.
///
/// Order (runc 1.1's standard/setns init, with rlimits and umask first because nothing later depends on them):
///  1. console: setsid, TIOCSCTTY, dup3 onto 0/1/2 (or only setsid)        — <see cref="ProcessPlanInput.ConsoleFd"/>
///  2. oom_score_adj                                                        — <see cref="ProcessPlanInput.WriteOomScoreAdj"/>
///  3. prlimit for each process.rlimits entry
///  4. umask (process.user.umask, default 0022)
///  5. close_range(3 + preserveFds, ~0, CLOSE_RANGE_CLOEXEC): no nrunc fd reaches the container (CVE-2024-21626)
///  6. PR_SET_NO_NEW_PRIVS
///  7. seccomp, when no_new_privs is NOT set (loading then needs CAP_SYS_ADMIN, so before caps are dropped)
///  8. chdir(cwd) (runc's first attempt, with all capabilities)
///  9. PR_CAPBSET_DROP for every capability not in the bounding set (needs CAP_SETPCAP, so before setuid)
/// 10. PR_SET_KEEPCAPS 1, setgroups (unless denied), setresgid, setresuid, [chdir after the user switch], PR_SET_KEEPCAPS 0
/// 11. capset (effective, permitted, inheritable), PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_RAISE each
/// 12. seccomp, when no_new_privs IS set (as late as possible, so the profile needs to allow few syscalls)
/// 13. ready sync to the parent, then the exec fifo wait (init)
/// 14. restore the signal mask, execve of the candidates in order
/// </summary>
public sealed class ProcessPlan
{
    /// <summary>Index (in the builder) of the first op this plan appended.</summary>
    public int FirstOp { get; private init; }

    /// <summary>Index of the exec op: a failure there is described by <see cref="ExecLookup.DescribeFailure"/>.</summary>
    public int ExecOp { get; private init; }

    /// <summary>Description of the exec op (also what <see cref="RawProgramException.Step"/> carries when exec fails in RunHere).</summary>
    public string ExecStep { get; private init; } = "";

    public string Args0 { get; private init; } = "";

    /// <summary>The paths exec tries, in order (empty when nothing can be found: the exec op then fails with ENOENT).</summary>
    public IReadOnlyList<string> Candidates { get; private init; } = [];

    public CapabilitySets Capabilities { get; private init; } = null!;

    /// <summary>Warnings to log (runc logs them at warning level), e.g. ignored capability names.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>The user-facing message for a failure the program reported (op index from the error fd, errno).</summary>
    public string DescribeFailure(RawProgram program, int opIndex, int errno) =>
        opIndex == ExecOp ? ExecLookup.DescribeFailure(Args0, errno) : program.DescribeFailure(opIndex, errno);

    /// <summary>The user-facing message for a failure of <see cref="RawProgram.RunHere"/>.</summary>
    public string DescribeFailure(RawProgramException e) =>
        e.Step == ExecStep ? ExecLookup.DescribeFailure(Args0, e.Errno) : e.Message;

    static int s_lastCap = -1;

    /// <summary>/proc/sys/kernel/cap_last_cap, read once; the spec table's last capability if it cannot be read.</summary>
    public static int KernelLastCap()
    {
        if (s_lastCap >= 0) return s_lastCap;
        int v = NRunc.Spec.Capabilities.LastCap;
        try
        {
            var text = File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim();
            if (int.TryParse(text, out int k) && k > 0 && k < 64) v = k;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return s_lastCap = v;
    }

    /// <summary>Appends the steps described on <see cref="ProcessPlan"/> to <paramref name="b"/>.</summary>
    public static ProcessPlan AppendFinalSteps(RawProgramBuilder b, ProcessPlanInput input)
    {
        var p = input.Process;
        if (p.Args is not { Count: > 0 } || string.IsNullOrEmpty(p.Args[0]))
            throw new ContainerException("args must not be empty");
        if (input.Cwd != CwdStep.AlreadyDone && p.Cwd.Length > 0 && p.Cwd[0] != '/')
            throw new ContainerException("Cwd must be an absolute path");
        if (input.PreserveFds < 0) throw new ContainerException("--preserve-fds must not be negative");

        int first = b.Count;
        var warnings = new List<string>();
        var caps = CapabilitySets.From(p.Capabilities, input.LastCap);
        if (caps.Warning is { } w) warnings.Add(w);
        bool nnp = input.NoNewPrivileges || p.NoNewPrivileges;
        bool seccomp = !input.SeccompBpf.IsEmpty;

        // 1. Console / session.
        if (input.ConsoleFd >= 0) ConsoleSetup.AppendControllingTerminalSteps(b, input.ConsoleFd);
        else if (input.NewSession) b.Add(RawOpCode.Setsid, "setsid");

        // 2. oom_score_adj.
        if (input.WriteOomScoreAdj && p.OomScoreAdj is int oom)
        {
            var text = b.Bytes(System.Text.Encoding.ASCII.GetBytes(oom.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            b.Add(RawOpCode.WriteFile, "failed to update /proc/self/oom_score_adj", b.String("/proc/self/oom_score_adj"), text,
                oom.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        }

        // 3. rlimits.
        foreach (var rl in p.Rlimits ?? [])
        {
            int resource = Rlimits.Parse(rl.Type);
            if (resource < 0) throw new ContainerException($"wrong rlimit value: {rl.Type}");
            b.Add(RawOpCode.Prlimit, $"error setting rlimit type {rl.Type}", resource, unchecked((long)rl.Soft), unchecked((long)rl.Hard));
        }

        // 4. umask.
        b.Add(RawOpCode.Umask, "umask", (long)(p.User.Umask ?? 0x12 /* 0022 */));

        // AppArmor profile on exec (exec's child; init does it in managed code on its exec thread).
        if (input.WriteAppArmor && ProcessSetup.AppArmorExecAttr(p.ApparmorProfile) is var (aaPath, aaValue))
        {
            var data = System.Text.Encoding.UTF8.GetBytes(aaValue);
            b.Add(RawOpCode.WriteFile, "unable to apply apparmor profile: apparmor failed to apply profile: write " + aaPath.Replace("thread-self", "self"),
                b.String(aaPath), b.Bytes(data), data.Length);
        }

        // 5. No nrunc fd may reach the container.
        b.Add(RawOpCode.CloseRange, "error closing exec fds", 3L + input.PreserveFds, unchecked((long)uint.MaxValue), (long)Libc.CLOSE_RANGE_CLOEXEC);

        // 6, 7. no_new_privs; seccomp early when it is not set.
        if (nnp) b.Add(RawOpCode.Prctl, "prctl(SET_NO_NEW_PRIVS)", Libc.PR_SET_NO_NEW_PRIVS, 1);
        if (seccomp && !nnp) AppendSeccomp(b, input);

        // 8. cwd, first attempt.
        bool hasCwd = p.Cwd.Length > 0;
        var cwdWhat = $"chdir to cwd ({ExecLookup.GoQuote(p.Cwd)}) set in config.json failed";
        if (hasCwd && input.Cwd == CwdStep.BeforeUserSwitch) b.Add(RawOpCode.Chdir, cwdWhat, b.String(p.Cwd));

        // 9. Bounding set, while CAP_SETPCAP is still held.
        for (int cap = 0; cap <= input.LastCap && cap < 64; cap++)
            if ((caps.Bounding & (1UL << cap)) == 0)
                b.Add(RawOpCode.Prctl, $"unable to apply bounding set: drop {NRunc.Spec.Capabilities.Name(cap) ?? cap.ToString()}", Libc.PR_CAPBSET_DROP, cap);

        // 10. User.
        b.Add(RawOpCode.Prctl, "unable to set keep caps", Libc.PR_SET_KEEPCAPS, 1);
        if (input.SetgroupsAllowed)
        {
            var gids = p.User.AdditionalGids ?? [];
            var bytes = new byte[Math.Max(4, gids.Count * 4)];
            for (int i = 0; i < gids.Count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), gids[i]);
            b.Add(RawOpCode.Setgroups, "unable to setup user: setgroups", gids.Count, b.Bytes(bytes));
        }
        b.Add(RawOpCode.Setresgid, $"unable to setup user: setgid {p.User.Gid}", (long)p.User.Gid);
        b.Add(RawOpCode.Setresuid, $"unable to setup user: setuid {p.User.Uid}", (long)p.User.Uid);
        if (hasCwd && input.Cwd == CwdStep.AfterUserSwitch) b.Add(RawOpCode.Chdir, cwdWhat, b.String(p.Cwd));
        b.Add(RawOpCode.Prctl, "unable to clear keep caps", Libc.PR_SET_KEEPCAPS, 0);

        // 11. Capabilities.
        b.Add(RawOpCode.Capset, "unable to apply caps", b.Bytes(caps.CapsetData()));
        b.Add(RawOpCode.Prctl, "unable to apply caps: clear ambient", Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        ulong amb = caps.RaisableAmbient;
        for (int cap = 0; cap < 64; cap++)
            if ((amb & (1UL << cap)) != 0)
                b.Add(RawOpCode.Prctl, $"unable to apply caps: raise ambient {NRunc.Spec.Capabilities.Name(cap)}", Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, cap, 0, 0);

        // 12. seccomp late when no_new_privs is set.
        if (seccomp && nnp) AppendSeccomp(b, input);

        // 13. Tell the parent everything is applied, then wait for `start`.
        if (input.ReadyFd >= 0) b.Add(RawOpCode.SyncSend, "sync with parent (ready)", input.ReadyFd, input.ReadyValue);
        if (input.ExecFifoPath is { } fifo) b.Add(RawOpCode.OpenWriteByte, $"open exec fifo {fifo}", b.String(fifo), (long)'0');

        // 14. Exec.
        b.Add(RawOpCode.SignalMaskRestore, "restore signal mask");
        string args0 = p.Args[0];
        var candidates = input.ExecPath is { } resolved ? [resolved] : ExecLookup.Candidates(args0, input.Env);
        var execWhat = $"exec {ExecLookup.GoQuote(args0)}";
        int execOp = b.Count;
        b.Add(RawOpCode.Execvp, execWhat, b.StringArray(candidates), b.StringArray(p.Args), b.StringArray(input.Env));

        return new ProcessPlan
        {
            FirstOp = first,
            ExecOp = execOp,
            ExecStep = execWhat,
            Args0 = args0,
            Candidates = candidates,
            Capabilities = caps,
            Warnings = warnings,
        };
    }

    static void AppendSeccomp(RawProgramBuilder b, ProcessPlanInput input)
    {
        var bpf = input.SeccompBpf.Span;
        if (bpf.Length % 8 != 0 || bpf.Length / 8 > ushort.MaxValue)
            throw new ContainerException($"unable to init seccomp: invalid BPF program of {bpf.Length} bytes");
        if (input.SeccompListenerSocket < 0)
        {
            b.Add(RawOpCode.Seccomp, "unable to init seccomp: error loading seccomp filter into kernel", b.Bytes(bpf), bpf.Length / 8, (long)input.SeccompFlags);
            return;
        }
        b.Add(RawOpCode.SeccompListener, "unable to init seccomp: error loading seccomp filter into kernel and sending its listener",
            b.Bytes(bpf), bpf.Length / 8, (long)input.SeccompFlags, input.SeccompListenerSocket);
        b.Add(RawOpCode.SyncWait, "waiting for the seccomp agent hand-over", input.SeccompListenerSocket, input.SeccompListenerDoneValue);
    }
}
