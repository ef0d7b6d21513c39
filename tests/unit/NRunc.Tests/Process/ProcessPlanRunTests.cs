using System.Runtime.InteropServices;
using NRunc.Container.Process;
using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.ContainerProcess;

/// <summary>
/// Runs real plans in a child made by a raw clone (RawProgram.Spawn): the child applies every step and execs /bin/sh,
/// which records what it got (umask, ids, capabilities, no_new_privs, seccomp, rlimits, fds, cwd) in a file.
/// </summary>
public unsafe class ProcessPlanRunTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("nrunc-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    static int Wait(int pid)
    {
        int status = 0;
        int r;
        do r = Libc.waitpid(pid, &status, 0); while (r < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        Assert.Equal(pid, r);
        return status;
    }

    static (int Read, int Write) Pipe()
    {
        int* p = stackalloc int[2];
        NativeException.Check(Libc.pipe2(p, Libc.O_CLOEXEC), "pipe2");
        return (p[0], p[1]);
    }

    static readonly object WarmLock = new();
    static bool s_warm;

    /// <summary>
    /// The test host runs on the JIT with tiered compilation and W^X double mapping (code pages shared through a memfd):
    /// a cloned child that JIT-compiles or back-patches a stub writes into code the parent shares, and both crash. So the
    /// interpreter is compiled and promoted to its final tier in the parent before any clone. (nrunc itself is NativeAOT:
    /// no JIT, no patching.)
    /// </summary>
    static void WarmUp()
    {
        lock (WarmLock)
        {
            if (s_warm) return;
            const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
            foreach (var m in typeof(RawInterpreter).GetMethods(all).Concat(typeof(RawSyscall).GetMethods(all)))
                if ((m.DeclaringType == typeof(RawInterpreter) || m.DeclaringType == typeof(RawSyscall)) && !m.IsGenericMethodDefinition && !m.IsAbstract)
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
            RawSyscall.Sys(Nr.Close, -1); // binds the errno path
            var b = new RawProgramBuilder();
            for (int i = 0; i < 64; i++) b.Add(RawOpCode.Prctl, "get dumpable", 3 /* PR_GET_DUMPABLE */);
            b.Add(RawOpCode.Prctl, "bad option", -1);
            using var prog = b.Build();
            for (int round = 0; round < 6; round++)
            {
                for (int i = 0; i < 200; i++)
                {
                    try { prog.RunHere(); } catch (RawProgramException) { }
                    RawInterpreter.Run(prog.Header, out _);
                }
                Thread.Sleep(150); // tiering promotes in the background after a short delay
            }
            s_warm = true;
        }
    }

    (int Status, RawFailure? Failure, string Description) Run(ProcessPlanInput input)
    {
        WarmUp();
        var b = new RawProgramBuilder();
        var (r, w) = Pipe();
        b.ErrorFd = w;
        var plan = ProcessPlan.AppendFinalSteps(b, input);
        using var prog = b.Build();
        int pid = prog.Spawn(0);
        Libc.close(w);
        var failure = RawProgram.ReadFailure(r);
        Libc.close(r);
        int status = Wait(pid);
        return (status, failure, failure is { } f ? plan.DescribeFailure(prog, f.OpIndex, f.Errno) : "");
    }

    [Fact]
    public void ChildGetsConfiguredUserCapsLimitsAndNoLeakedFds()
    {
        if (Environment.UserName != "root") return; // needs root to switch users
        Directory.CreateDirectory(_dir);
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ff);
        // An fd without O_CLOEXEC, as a leaked nrunc fd would be: the plan must keep it from the container.
        int leaked;
        fixed (byte* p = "/dev/null\0"u8) leaked = Libc.open(p, Libc.O_RDONLY, 0);
        try
        {
            var proc = DefaultSpec.Create().Process!;
            proc.User = new User { Uid = 1000, Gid = 1000, Umask = 0x3f, AdditionalGids = [5, 6] };
            proc.Cwd = _dir;
            proc.Capabilities!.Inheritable = ["CAP_KILL"];
            proc.Capabilities.Ambient = ["CAP_KILL"];
            proc.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 1000, Hard = 2000 }];
            proc.Args = ["sh", "-c",
                "ls /proc/$$/fd > fds; umask > out; id -u >> out; id -g >> out; id -G >> out; " +
                "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status >> out; " +
                "grep 'Max open files' /proc/self/limits >> out; pwd >> out"];
            // One BPF instruction: return SECCOMP_RET_ALLOW.
            var bpf = new byte[8];
            BitConverter.TryWriteBytes(bpf.AsSpan(0), (ushort)0x06);
            BitConverter.TryWriteBytes(bpf.AsSpan(4), 0x7fff0000u);
            var (status, failure, desc) = Run(new ProcessPlanInput
            {
                Process = proc, Env = ["PATH=/usr/bin:/bin"], SeccompBpf = bpf, LastCap = ProcessPlan.KernelLastCap(),
            });
            Assert.True(failure is null, desc);
            Assert.Equal(0, status);
            var lines = File.ReadAllLines(Path.Combine(_dir, "out"));
            Assert.Equal("0077", lines[0]);
            Assert.Equal("1000", lines[1]);
            Assert.Equal("1000", lines[2]);
            Assert.Equal("1000 5 6", lines[3]);
            Assert.Contains("CapInh:\t0000000000000020", lines);
            Assert.Contains("CapPrm:\t0000000000000020", lines);
            Assert.Contains("CapEff:\t0000000000000020", lines);
            Assert.Contains("CapBnd:\t0000000020000420", lines);
            Assert.Contains("CapAmb:\t0000000000000020", lines);
            Assert.Contains("NoNewPrivs:\t1", lines);
            Assert.Contains("Seccomp:\t2", lines);
            Assert.Matches(@"^Max open files\s+1000\s+2000\s+files", lines.Single(l => l.StartsWith("Max open files")));
            Assert.Contains(_dir, lines);
            // Only stdio (and nothing from the test process) reaches the program.
            // (listed by the shell's first command, before it opened anything itself).
            // The shell may hold one fd of its own (dash keeps 10, bash 255).
            var fds = File.ReadAllText(Path.Combine(_dir, "fds")).Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.DoesNotContain(leaked, fds);
            Assert.Equal(new[] { 0, 1, 2 }, fds.Where(f => f is not (10 or 255)).Order());
            // The file was written by uid 1000 with umask 077.
            Libc.Statx st;
            fixed (byte* p = Utf8.Z(Path.Combine(_dir, "out")))
                NativeException.Check(Libc.statx(Libc.AT_FDCWD, p, 0, Libc.STATX_BASIC_STATS, &st), "statx");
            Assert.Equal(1000u, st.stx_uid);
            Assert.Equal(0x180, st.stx_mode & 0xfff); // 0600
        }
        finally
        {
            Libc.close(leaked);
        }
    }

    [Fact]
    public void MissingProgramIsReportedWithRuncText()
    {
        var proc = DefaultSpec.Create().Process!;
        proc.Args = ["nrunc-no-such-program"];
        proc.Cwd = "/";
        var (status, failure, desc) = Run(new ProcessPlanInput { Process = proc, Env = ["PATH=/usr/bin:/bin"], LastCap = ProcessPlan.KernelLastCap() });
        Assert.NotNull(failure);
        Assert.Equal(Errno.ENOENT, failure!.Value.Errno);
        Assert.Equal("exec: \"nrunc-no-such-program\": executable file not found in $PATH", desc);
        Assert.Equal(1, (status >> 8) & 0xff);
    }

    [Fact]
    public void MissingCwdFailsAtChdir()
    {
        var proc = DefaultSpec.Create().Process!;
        proc.Args = ["/bin/true"];
        proc.Cwd = "/nonexistent-nrunc-dir";
        var (_, failure, desc) = Run(new ProcessPlanInput { Process = proc, Env = [], LastCap = ProcessPlan.KernelLastCap() });
        Assert.NotNull(failure);
        Assert.Equal("chdir to cwd (\"/nonexistent-nrunc-dir\") set in config.json failed: no such file or directory", desc);
    }

    [Fact]
    public void InheritableOutsideBoundingFailsLikeRunc()
    {
        if (Environment.UserName != "root") return;
        var proc = DefaultSpec.Create().Process!;
        proc.Args = ["/bin/true"];
        proc.Cwd = "/";
        proc.User = new User { Uid = 1000, Gid = 1000 };
        proc.Capabilities!.Inheritable = ["CAP_SYS_ADMIN"];
        var (_, failure, desc) = Run(new ProcessPlanInput { Process = proc, Env = [], LastCap = ProcessPlan.KernelLastCap() });
        Assert.NotNull(failure);
        Assert.Equal("unable to apply caps: operation not permitted", desc);
    }

    [Fact]
    public void RunHereOnDedicatedThreadAppliesSteps()
    {
        // A plan without exec (only umask and a write), run on a new thread with RunHere: it must return normally.
        var b = new RawProgramBuilder();
        var path = Path.Combine(_dir, "here");
        File.WriteAllText(path, "");
        b.Add(RawOpCode.WriteFile, "write marker", b.String(path), b.Bytes("ok"u8), 2);
        using var prog = b.Build();
        Exception? error = null;
        var t = new Thread(() => { try { prog.RunHere(); } catch (Exception e) { error = e; } });
        t.Start();
        t.Join();
        Assert.Null(error);
        Assert.Equal("ok", File.ReadAllText(path));
    }
}
