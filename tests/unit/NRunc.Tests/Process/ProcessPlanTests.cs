using System.Runtime.InteropServices;
using NRunc.Container;
using NRunc.Container.Process;
using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.ContainerProcess;

/// <summary>Reads a built raw program back: op codes, arguments and descriptions.</summary>
static unsafe class PlanDump
{
    public record Op(RawOpCode Code, long A0, long A1, long A2, long A3, long A4, string What);

    public static List<Op> Ops(RawProgram p)
    {
        var h = p.Header;
        var ops = (RawOp*)((byte*)h + ((sizeof(RawProgramHeader) + 7) & ~7));
        var list = new List<Op>();
        for (int i = 0; i < h->OpCount; i++)
            list.Add(new Op(ops[i].Code, ops[i].A0, ops[i].A1, ops[i].A2, ops[i].A3, ops[i].A4, p.Describe(i)));
        return list;
    }

    public static string Str(long ptr) => Marshal.PtrToStringUTF8((nint)ptr)!;

    public static List<string> StrArray(long ptr)
    {
        var r = new List<string>();
        for (long* a = (long*)ptr; *a != 0; a++) r.Add(Str(*a));
        return r;
    }
}

public class ProcessPlanTests
{
    static readonly System.Collections.Concurrent.ConcurrentBag<RawProgram> Keep = [];

    static NRunc.Spec.Process DefaultProcess() => DefaultSpec.Create().Process!;

    static (ProcessPlan Plan, List<PlanDump.Op> Ops) Build(ProcessPlanInput input)
    {
        var b = new RawProgramBuilder();
        var plan = ProcessPlan.AppendFinalSteps(b, input);
        // Not disposed: the ops' pointers refer into the program block, which the tests read.
        var prog = b.Build();
        Keep.Add(prog);
        return (plan, PlanDump.Ops(prog));
    }

    [Fact]
    public void DefaultSpecPlanHasRuncOrder()
    {
        var p = DefaultProcess();
        var (plan, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, ExecFifoPath = "/proc/self/fd/5" });
        var codes = ops.Select(o => o.Code).Distinct().ToList();
        // Distinct op kinds, in the order they first appear.
        Assert.Equal(new[]
        {
            RawOpCode.Prlimit, RawOpCode.Umask, RawOpCode.CloseRange, RawOpCode.Prctl /* nnp */, RawOpCode.Chdir,
            RawOpCode.Setgroups, RawOpCode.Setresgid, RawOpCode.Setresuid, RawOpCode.Capset, RawOpCode.OpenWriteByte,
            RawOpCode.SignalMaskRestore, RawOpCode.Execvp,
        }, codes);
        Assert.Equal(ops.Count - 1, plan.ExecOp);
        Assert.Equal(0, plan.FirstOp);
        // runc's default spec: noNewPrivileges true, so no_new_privs comes right after close_range.
        int nnp = ops.FindIndex(o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_SET_NO_NEW_PRIVS);
        Assert.Equal(ops.FindIndex(o => o.Code == RawOpCode.CloseRange) + 1, nnp);
        Assert.Equal("prctl(SET_NO_NEW_PRIVS)", ops[nnp].What);
    }

    [Fact]
    public void DefaultSpecCapabilityMasks()
    {
        var p = DefaultProcess();
        var (plan, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40 });
        const ulong expected = (1UL << 29) | (1UL << 5) | (1UL << 10); // AUDIT_WRITE, KILL, NET_BIND_SERVICE
        Assert.Equal(expected, plan.Capabilities.Bounding);
        Assert.Equal(expected, plan.Capabilities.Effective);
        Assert.Equal(expected, plan.Capabilities.Permitted);
        Assert.Equal(0x20000420UL, expected);
        // Every other capability up to cap_last_cap is dropped from the bounding set, before setresuid.
        var drops = ops.Where(o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_CAPBSET_DROP).Select(o => (int)o.A1).ToList();
        Assert.Equal(Enumerable.Range(0, 41).Where(c => c is not (5 or 10 or 29)), drops);
        int lastDrop = ops.FindLastIndex(o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_CAPBSET_DROP);
        int keep1 = ops.FindIndex(o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_SET_KEEPCAPS && o.A1 == 1);
        int setuid = ops.FindIndex(o => o.Code == RawOpCode.Setresuid);
        int keep0 = ops.FindIndex(o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_SET_KEEPCAPS && o.A1 == 0);
        int capset = ops.FindIndex(o => o.Code == RawOpCode.Capset);
        Assert.True(lastDrop < keep1 && keep1 < setuid && setuid < keep0 && keep0 < capset);
        Assert.Equal("unable to apply bounding set: drop CAP_CHOWN", ops[ops.FindIndex(o => o.A0 == Libc.PR_CAPBSET_DROP)].What);
        // capset data: v3 header, then {eff, perm, inh} for bits 0-31 and 32-63.
        var data = plan.Capabilities.CapsetData();
        Assert.Equal(Libc.LINUX_CAPABILITY_VERSION_3, BitConverter.ToUInt32(data, 0));
        Assert.Equal(0, BitConverter.ToInt32(data, 4));
        Assert.Equal(0x20000420u, BitConverter.ToUInt32(data, 8));
        Assert.Equal(0x20000420u, BitConverter.ToUInt32(data, 12));
        Assert.Equal(0u, BitConverter.ToUInt32(data, 16));
        Assert.Equal(0u, BitConverter.ToUInt32(data, 20));
        unsafe { Assert.Equal(data, new ReadOnlySpan<byte>((void*)ops[capset].A0, 32).ToArray()); }
        // Ambient: cleared; the default spec has no inheritable caps, so nothing can be raised (runc 1.1 ignores those failures).
        Assert.Contains(ops, o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_CAP_AMBIENT && o.A1 == Libc.PR_CAP_AMBIENT_CLEAR_ALL);
        Assert.DoesNotContain(ops, o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_CAP_AMBIENT && o.A1 == Libc.PR_CAP_AMBIENT_RAISE);
    }

    [Fact]
    public void AmbientRaisedOnlyWhenPermittedAndInheritable()
    {
        var p = DefaultProcess();
        p.Capabilities!.Inheritable = ["CAP_KILL", "CAP_SYS_ADMIN"];
        p.Capabilities.Ambient = ["CAP_KILL", "CAP_SYS_ADMIN", "CAP_FOO"];
        var (plan, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40 });
        var raised = ops.Where(o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_CAP_AMBIENT && o.A1 == Libc.PR_CAP_AMBIENT_RAISE).Select(o => o.A2).ToList();
        Assert.Equal(new long[] { 5 }, raised);
        Assert.Equal("ignoring unknown or unavailable capabilities: [CAP_FOO]", Assert.Single(plan.Warnings));
    }

    [Fact]
    public void CapabilitiesAboveKernelLastCapAreIgnored()
    {
        var caps = CapabilitySets.From(new LinuxCapabilities { Bounding = ["CAP_BPF", "CAP_CHECKPOINT_RESTORE", "CAP_KILL"] }, 38);
        Assert.Equal(1UL << 5, caps.Bounding);
        Assert.Equal(new[] { "CAP_BPF", "CAP_CHECKPOINT_RESTORE" }, caps.Ignored);
    }

    [Fact]
    public void RlimitOps()
    {
        var p = DefaultProcess();
        p.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 4096 }, new PosixRlimit { Type = "RLIMIT_CORE", Soft = ulong.MaxValue, Hard = ulong.MaxValue }];
        var (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40 });
        Assert.Equal(new PlanDump.Op(RawOpCode.Prlimit, 7, 1024, 4096, 0, 0, "error setting rlimit type RLIMIT_NOFILE"), ops[0]);
        Assert.Equal(new PlanDump.Op(RawOpCode.Prlimit, 4, -1, -1, 0, 0, "error setting rlimit type RLIMIT_CORE"), ops[1]);
        p.Rlimits = [new PosixRlimit { Type = "RLIMIT_BOGUS" }];
        Assert.Equal("wrong rlimit value: RLIMIT_BOGUS", Assert.Throws<ContainerException>(() => Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40 })).Message);
    }

    [Fact]
    public void UmaskUserGroupsAndFds()
    {
        var p = DefaultProcess();
        p.User = new User { Uid = 1000, Gid = 100, Umask = 0x3f /* 077 */, AdditionalGids = [5, 6] };
        var (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, PreserveFds = 2 });
        Assert.Equal(0x3f, ops.Single(o => o.Code == RawOpCode.Umask).A0);
        var sg = ops.Single(o => o.Code == RawOpCode.Setgroups);
        Assert.Equal(2, sg.A0);
        unsafe { Assert.Equal(new uint[] { 5, 6 }, new ReadOnlySpan<uint>((void*)sg.A1, 2).ToArray()); }
        Assert.Equal(100, ops.Single(o => o.Code == RawOpCode.Setresgid).A0);
        Assert.Equal(1000, ops.Single(o => o.Code == RawOpCode.Setresuid).A0);
        var cr = ops.Single(o => o.Code == RawOpCode.CloseRange);
        Assert.Equal((5L, (long)uint.MaxValue, (long)Libc.CLOSE_RANGE_CLOEXEC), (cr.A0, cr.A1, cr.A2));

        // Default umask 0022; setgroups skipped when denied.
        p.User = new User();
        (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, SetgroupsAllowed = false });
        Assert.Equal(0x12, ops.Single(o => o.Code == RawOpCode.Umask).A0);
        Assert.DoesNotContain(ops, o => o.Code == RawOpCode.Setgroups);
    }

    [Fact]
    public void SeccompEarlyWithoutNnpLateWithNnp()
    {
        var p = DefaultProcess();
        var bpf = new byte[16];
        p.NoNewPrivileges = false;
        var (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, SeccompBpf = bpf, SeccompFlags = 4 });
        int sc = ops.FindIndex(o => o.Code == RawOpCode.Seccomp);
        Assert.True(sc < ops.FindIndex(o => o.A0 == Libc.PR_CAPBSET_DROP && o.Code == RawOpCode.Prctl));
        Assert.Equal((2L, 4L), (ops[sc].A1, ops[sc].A2));
        Assert.DoesNotContain(ops, o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_SET_NO_NEW_PRIVS);

        (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, SeccompBpf = bpf, NoNewPrivileges = true, ExecFifoPath = "/x" });
        sc = ops.FindIndex(o => o.Code == RawOpCode.Seccomp);
        Assert.True(sc > ops.FindIndex(o => o.Code == RawOpCode.Capset));
        Assert.Equal(RawOpCode.OpenWriteByte, ops[sc + 1].Code);
        Assert.Contains(ops, o => o.Code == RawOpCode.Prctl && o.A0 == Libc.PR_SET_NO_NEW_PRIVS);
    }

    [Fact]
    public void CwdChecksAndPlacement()
    {
        var p = DefaultProcess();
        p.Cwd = "rel";
        Assert.Equal("Cwd must be an absolute path", Assert.Throws<ContainerException>(() => Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40 })).Message);
        p.Cwd = "/work";
        var (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, Cwd = CwdStep.AfterUserSwitch });
        int cd = ops.FindIndex(o => o.Code == RawOpCode.Chdir);
        Assert.Equal(ops.FindIndex(o => o.Code == RawOpCode.Setresuid) + 1, cd);
        Assert.Equal("/work", PlanDump.Str(ops[cd].A0));
        Assert.Equal("chdir to cwd (\"/work\") set in config.json failed", ops[cd].What);
        (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, Cwd = CwdStep.AlreadyDone });
        Assert.DoesNotContain(ops, o => o.Code == RawOpCode.Chdir);
    }

    [Fact]
    public void ExecCandidatesArgvEnvAndFailureText()
    {
        var p = DefaultProcess();
        p.Args = ["sh", "-c", "true"];
        var env = new List<string> { "PATH=/usr/local/bin:/bin/:rel::/bin", "TERM=xterm" };
        var b = new RawProgramBuilder();
        var plan = ProcessPlan.AppendFinalSteps(b, new ProcessPlanInput { Process = p, Env = env, LastCap = 40 });
        using var prog = b.Build();
        var ops = PlanDump.Ops(prog);
        var exec = ops[plan.ExecOp];
        Assert.Equal(RawOpCode.Execvp, exec.Code);
        Assert.Equal(new[] { "/usr/local/bin/sh", "/bin/sh" }, PlanDump.StrArray(exec.A0));
        Assert.Equal(new[] { "sh", "-c", "true" }, PlanDump.StrArray(exec.A1));
        Assert.Equal(env, PlanDump.StrArray(exec.A2));
        Assert.Equal(RawOpCode.SignalMaskRestore, ops[plan.ExecOp - 1].Code);
        Assert.Equal("exec: \"sh\": executable file not found in $PATH", plan.DescribeFailure(prog, plan.ExecOp, Errno.ENOENT));
        Assert.Equal("exec: \"sh\": executable file not found in $PATH", plan.DescribeFailure(new RawProgramException(plan.ExecStep, Errno.ENOENT)));
        Assert.Equal("exec sh: exec format error", plan.DescribeFailure(prog, plan.ExecOp, Errno.ENOEXEC));
        Assert.Equal("unable to apply caps: operation not permitted", plan.DescribeFailure(prog, ops.FindIndex(o => o.Code == RawOpCode.Capset), Errno.EPERM));
    }

    [Fact]
    public void CandidatesFollowRuncLookup()
    {
        Assert.Equal(new[] { "/x/y" }, ExecLookup.Candidates("/x/y", []));
        Assert.Equal(new[] { "./y" }, ExecLookup.Candidates("./y", ["PATH=/bin"]));
        Assert.Empty(ExecLookup.Candidates("sh", ["TERM=xterm"])); // runc has no default PATH
        Assert.Equal(new[] { "/b/sh" }, ExecLookup.Candidates("sh", ["PATH=/a", "PATH=/b"])); // last wins
        Assert.Equal(new[] { "/sh" }, ExecLookup.Candidates("sh", ["PATH=/"]));
        Assert.Equal("exec: \"/nope\": stat /nope: no such file or directory", ExecLookup.DescribeFailure("/nope", Errno.ENOENT));
        Assert.Equal("exec: \"/etc\": permission denied", ExecLookup.DescribeFailure("/etc", Errno.EACCES));
        Assert.Equal("exec: \"foo\": executable file not found in $PATH", ExecLookup.DescribeFailure("foo", Errno.EACCES));
    }

    [Fact]
    public void LookPathMatchesRunc()
    {
        Assert.Equal("/bin/sh", ExecLookup.LookPath("sh", ["PATH=/nonexistent:/bin"]));
        Assert.Equal("exec: \"nonexist-xyz\": executable file not found in $PATH",
            Assert.Throws<ContainerException>(() => ExecLookup.LookPath("nonexist-xyz", ["PATH=/bin"])).Message);
        Assert.Equal("exec: \"/nonexist\": stat /nonexist: no such file or directory",
            Assert.Throws<ContainerException>(() => ExecLookup.LookPath("/nonexist", [])).Message);
        Assert.Equal("exec: \"/etc\": permission denied", Assert.Throws<ContainerException>(() => ExecLookup.LookPath("/etc", [])).Message);
        Assert.Equal("exec: \"/etc/passwd\": permission denied", Assert.Throws<ContainerException>(() => ExecLookup.LookPath("/etc/passwd", [])).Message);
        Assert.Equal("exec: \"sh\": executable file not found in $PATH", Assert.Throws<ContainerException>(() => ExecLookup.LookPath("sh", [])).Message);
    }

    [Fact]
    public void ConsoleOomReadyAndEmptyArgs()
    {
        var p = DefaultProcess();
        p.OomScoreAdj = 100;
        var (_, ops) = Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40, ConsoleFd = 9, WriteOomScoreAdj = true, ReadyFd = 4, ReadyValue = 7, ExecFifoPath = "/proc/self/fd/5" });
        Assert.Equal(new[] { RawOpCode.Setsid, RawOpCode.Ioctl, RawOpCode.Dup3, RawOpCode.Dup3, RawOpCode.Dup3, RawOpCode.WriteFile }, ops.Take(6).Select(o => o.Code));
        Assert.Equal((9L, (long)Libc.TIOCSCTTY), (ops[1].A0, ops[1].A1));
        Assert.Equal(new long[] { 0, 1, 2 }, ops.Skip(2).Take(3).Select(o => o.A1));
        Assert.Equal("/proc/self/oom_score_adj", PlanDump.Str(ops[5].A0));
        Assert.Equal("failed to update /proc/self/oom_score_adj", ops[5].What);
        int ready = ops.FindIndex(o => o.Code == RawOpCode.SyncSend);
        Assert.Equal((4L, 7L), (ops[ready].A0, ops[ready].A1));
        Assert.Equal(RawOpCode.OpenWriteByte, ops[ready + 1].Code);
        Assert.Equal("/proc/self/fd/5", PlanDump.Str(ops[ready + 1].A0));
        p.Args = [];
        Assert.Throws<ContainerException>(() => Build(new ProcessPlanInput { Process = p, Env = p.Env!, LastCap = 40 }));
    }
}
