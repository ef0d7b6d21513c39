namespace NRunc.Container.Process;

/// <summary>When the plan changes into process.cwd.</summary>
public enum CwdStep
{
    /// <summary>Before the user switch, still with every capability (runc's first attempt).</summary>
    BeforeUserSwitch,
    /// <summary>After setresuid (runc retries there when the first attempt got EPERM/EACCES: volumes only the user can enter).</summary>
    AfterUserSwitch,
    /// <summary>Init already did it in managed code (<see cref="ProcessSetup.EnterCwd"/>); no chdir op.</summary>
    AlreadyDone,
}

/// <summary>What <see cref="ProcessPlan.AppendFinalSteps"/> needs to turn the current process into the configured one.</summary>
public sealed class ProcessPlanInput
{
    /// <summary>The process to run (config.json's process, or exec's --process / flags).</summary>
    public required NRunc.Spec.Process Process { get; init; }

    /// <summary>The environment to exec with (for exec: the container's env merged with the extra one).</summary>
    public required IReadOnlyList<string> Env { get; init; }

    /// <summary>--preserve-fds: fds 3 .. 3+N-1 stay open in the container process; everything above is closed on exec.</summary>
    public int PreserveFds { get; init; }

    /// <summary>False when the user namespace has setgroups "deny" (then setgroups(2) is skipped, as runc does).</summary>
    public bool SetgroupsAllowed { get; init; } = true;

    /// <summary>Exported seccomp program (struct sock_filter[], 8 bytes each); empty for none.</summary>
    public ReadOnlyMemory<byte> SeccompBpf { get; init; }

    /// <summary>seccomp(2) SECCOMP_FILTER_FLAG_* for <see cref="SeccompBpf"/>.</summary>
    public uint SeccompFlags { get; init; }

    /// <summary>
    /// A socket on which the filter's notify listener fd (SECCOMP_FILTER_FLAG_NEW_LISTENER in <see cref="SeccompFlags"/>)
    /// is sent right after loading; the plan then waits there for <see cref="SeccompListenerDoneValue"/> (the parent has
    /// handed the fd to the seccomp agent). -1: no listener (exec's raw child uses it; init loads in managed code).
    /// </summary>
    public int SeccompListenerSocket { get; init; } = -1;

    public int SeccompListenerDoneValue { get; init; }

    /// <summary>Init only: the exec fifo to open for writing (blocks until `start`), e.g. "/proc/self/fd/5". Null for exec.</summary>
    public string? ExecFifoPath { get; init; }

    /// <summary>no_new_privs (process.noNewPrivileges or exec --no-new-privs); either one sets it.</summary>
    public bool NoNewPrivileges { get; init; }

    /// <summary>The path init resolved with <see cref="ExecLookup.LookPath"/>; null: try the PATH candidates.</summary>
    public string? ExecPath { get; init; }

    /// <summary>Highest capability the kernel knows (/proc/sys/kernel/cap_last_cap); see <see cref="ProcessPlan.KernelLastCap"/>.</summary>
    public int LastCap { get; init; } = ProcessPlan.KernelLastCap();

    /// <summary>Where to chdir (see <see cref="CwdStep"/>).</summary>
    public CwdStep Cwd { get; init; } = CwdStep.BeforeUserSwitch;

    /// <summary>
    /// A pty slave fd to make the controlling terminal (setsid, TIOCSCTTY, dup3 onto 0, 1, 2) as the first steps; -1 for
    /// none. Used by exec's raw child; init may instead call <see cref="ConsoleSetup.BecomeControllingTerminal"/>.
    /// </summary>
    public int ConsoleFd { get; init; } = -1;

    /// <summary>Start a new session (setsid) even without a console (ignored when <see cref="ConsoleFd"/> is set, which implies it).</summary>
    public bool NewSession { get; init; }

    /// <summary>
    /// Write process.oomScoreAdj to /proc/self/oom_score_adj as the first step (exec's child inherits nrunc's value
    /// otherwise). Init may do it in managed code with <see cref="ProcessSetup.SetOomScoreAdj"/> instead.
    /// </summary>
    public bool WriteOomScoreAdj { get; init; }

    /// <summary>Write process.apparmorProfile to /proc/thread-self/attr/exec after the umask (exec; init uses <see cref="ProcessSetup.ApplyThreadSettings"/>).</summary>
    public bool WriteAppArmor { get; init; }

    /// <summary>
    /// fd on which to write <see cref="ReadyValue"/> (4 bytes) once every setting is applied, just before the exec fifo
    /// wait, so that every failure is still a `create` error; -1 for none.
    /// </summary>
    public int ReadyFd { get; init; } = -1;

    public int ReadyValue { get; init; }
}
