using System.Globalization;
using System.Runtime.InteropServices;
using NRunc.Cgroups;
using NRunc.Container.Operations;
using NRunc.Container.Process;
using NRunc.Container.State;
using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Seccomp;
using NRunc.Spec;
using ContainerStatus = NRunc.Container.State.ContainerStatus;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// exec: a raw clone joins every namespace of the container's init at once (setns on a pidfd), forks so that the pid
/// and time namespaces apply, waits for the parent to move it into the container's cgroups (or, v1, joins them itself
/// after that wait), then sets up the process
/// (user, capabilities, rlimits, no_new_privs, seccomp, cwd) and execs the user's program directly: no second nrunc.
/// </summary>
internal static unsafe class ExecOperation
{
    const int SyncGo = 2, SyncSeccompDone = 3;

    public static int Run(RuntimeContext ctx, ExecOptions o)
    {
        var t = Diagnostics.Timing.Start();
        var store = new StateStore(ctx.Root);
        var record = store.Load(o.Id);
        var status = StatusProbe.Get(store, record);
        if (status == ContainerStatus.Stopped) throw new ContainerException("cannot exec in a stopped container");
        if (status == ContainerStatus.Paused && !o.IgnorePaused)
            throw new ContainerException("cannot exec in a paused container (use --ignore-paused to override)");
        var spec = record.Spec() ?? throw new ContainerException($"container {o.Id}: its stored config.json cannot be read");
        var process = BuildProcess(spec, o);
        t.Mark("load");

        int pidfd = Libc.PidfdOpen(record.InitPid);
        if (pidfd < 0) throw new ContainerException("cannot exec in a stopped container");
        var fds = new List<int> { pidfd };
        try
        {
            // The pidfd names init for sure only if init still has the recorded start time.
            if (!StatusProbe.IsInitAlive(record)) throw new ContainerException("cannot exec in a stopped container");
            int nsFlags = NamespacesToJoin(record.InitPid);

            int* sync = stackalloc int[2];
            NativeException.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, sync), "socketpair");
            fds.Add(sync[0]);
            int* err = stackalloc int[2];
            NativeException.Check(Libc.pipe2(err, Libc.O_CLOEXEC_FLAG), "pipe2");
            fds.Add(err[0]);

            int master = -1, slave = -1, consoleSocket = -1;
            if (process.Terminal == true)
            {
                int rootFd = OpenProcRoot(record.InitPid);
                fds.Add(rootFd);
                var pty = ConsoleSetup.OpenPty(rootFd, "/dev/ptmx");
                master = pty.Master; slave = pty.Slave;
                fds.Add(master); fds.Add(slave);
                if (process.ConsoleSize is { Height: > 0, Width: > 0 } cs) ConsoleSetup.Resize(master, (ushort)cs.Height, (ushort)cs.Width);
                if (o.ConsoleSocket is { } path)
                {
                    consoleSocket = Libc.ConnectUnix(Path.GetFullPath(path));
                    ConsoleSetup.SendMaster(consoleSocket, master, pty.SlaveName);
                    Libc.close(consoleSocket);
                }
                else if (o.Detach) throw new ContainerException("cannot allocate tty if runc will detach without setting console socket");
            }
            else if (o.ConsoleSocket is not null) throw new ContainerException("cannot use console socket if runc will not detach or allocate tty");

            ReadOnlyMemory<byte> bpf = default;
            uint seccompFlags = 0;
            bool notify = false;
            if (SeccompProgram.IsEnabled(spec.Linux?.Seccomp))
            {
                using var sp = SeccompProgram.Prepare(spec.Linux!.Seccomp!, SeccompCache.Dir(ctx.Root));
                bpf = sp.ExportBpf();
                seccompFlags = sp.KernelFlags;
                notify = sp.UsesNotify;
            }
            t.Mark("prepare");

            // v1: the child joins the cgroups itself (no RCU grace period, see ICgroupManager.SelfJoinFiles), unless
            // the parent must set execCPUAffinity.final after the move.
            var cgroups = ExecCgroups(record, o.Cgroup);
            var selfJoin = string.IsNullOrEmpty(process.ExecCpuAffinity?.Final) ? CgroupSelfJoin.Open(cgroups, 3 + o.PreserveFds) : [];
            fds.AddRange(selfJoin.Select(j => j.Fd));

            var env = process.Env ?? [];
            var b = new RawProgramBuilder { ErrorFd = err[1] };
            b.Add(RawOpCode.Prctl, "prctl PR_SET_DUMPABLE", 4, 0);
            if (nsFlags != 0) b.Add(RawOpCode.SetnsPidfd, "joining the container's namespaces", pidfd, nsFlags);
            b.Add(RawOpCode.ForkReportExit, "fork into the container's pid namespace", 0x8000 /* CLONE_PARENT */, sync[1]);
            b.Add(RawOpCode.SyncWait, "waiting for the cgroup join", sync[1], SyncGo);
            CgroupSelfJoin.Append(b, selfJoin);
            if (slave >= 0) ConsoleSetup.AppendControllingTerminalSteps(b, slave);
            MemoryPolicy.Append(b, spec.Linux?.MemoryPolicy);
            ProcessSetup.AppendPersonality(b, spec.Linux?.Personality);
            var plan = ProcessPlan.AppendFinalSteps(b, new ProcessPlanInput
            {
                Process = process,
                Env = env,
                PreserveFds = o.PreserveFds,
                SetgroupsAllowed = !NRunc.Container.Rootless.RootlessMode.SetgroupsDenied(record.InitPid),
                SeccompBpf = bpf,
                SeccompFlags = seccompFlags,
                NoNewPrivileges = process.NoNewPrivileges == true,
                // The listener fd comes back on the sync socket; the parent hands it to the agent (as runc does).
                SeccompListenerSocket = notify ? sync[1] : -1,
                SeccompListenerDoneValue = SyncSeccompDone,
            });
            int pid;
            using (var program = b.Build())
            {
                int stage = program.Spawn(0);
                Libc.close(sync[1]);
                Libc.close(err[1]);
                t.Mark("clone");
                int? child = SyncSocket.ReadInt(sync[0]);
                HookRunner.WaitExit(stage);
                if (child is not > 0) throw Failure(program, plan, err[0], "exec: the setup process exited unexpectedly");
                pid = child.Value;
                try
                {
                    // scheduler, ioPriority and execCPUAffinity.initial before the cgroup move, .final after it
                    ProcessSetup.ApplyToPid(pid, process, affinityFinal: false);
                    if (selfJoin.Count == 0) cgroups?.Apply(pid);
                    ProcessSetup.SetCpuAffinity(process.ExecCpuAffinity?.Final, "execCPUAffinity.final", pid);
                }
                catch
                {
                    Libc.kill(pid, 9);
                    HookRunner.WaitExit(pid);
                    throw;
                }
                SyncSocket.WriteInt(sync[0], SyncGo);
                if (notify) HandOverListener(spec, record, status, pid, sync[0], err[0], program, plan);
                if (RawProgram.ReadFailure(err[0]) is { } f)
                {
                    HookRunner.WaitExit(pid);
                    throw new ContainerException(plan.DescribeFailure(program, f.OpIndex, f.Errno));
                }
            }
            t.Mark("exec");
            if (slave >= 0) { Libc.close(slave); fds.Remove(slave); }
            if (o.PidFile is { } pf)
                StateStore.WriteAtomic(Path.GetFullPath(pf), System.Text.Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture)), 0x1a4);
            t.Report("exec");
            if (o.Detach) return 0;
            return WaitForeground(pid, master >= 0 && o.ConsoleSocket is null ? master : -1);
        }
        finally
        {
            foreach (var fd in fds) Libc.close(fd);
        }
    }

    /// <summary>
    /// SCMP_ACT_NOTIFY: the child sent its listener fd on the sync socket right after loading the filter; it goes to
    /// the agent at linux.seccomp.listenerPath with the container's state and the exec'd process's pid, then the child
    /// may go on.
    /// </summary>
    static void HandOverListener(NRunc.Spec.Spec spec, ContainerRecord record, ContainerStatus status, int pid, int sync, int err, RawProgram program, ProcessPlan plan)
    {
        int fd;
        try
        {
            fd = ConsoleSetup.ReceiveMaster(sync, out _);
        }
        catch (Exception e) when (e is ContainerException or NativeException)
        {
            HookRunner.WaitExit(pid);
            throw Failure(program, plan, err, "exec: the process exited before handing over its seccomp listener");
        }
        try
        {
            var sc = spec.Linux!.Seccomp!;
            SeccompNotify.SendToListener(sc.ListenerPath!, sc.ListenerMetadata, fd, HookState.ToUtf8(record, status), pid, spec.OciVersion);
        }
        catch
        {
            Libc.kill(pid, 9);
            HookRunner.WaitExit(pid);
            throw;
        }
        finally
        {
            Libc.close(fd);
        }
        SyncSocket.WriteInt(sync, SyncSeccompDone);
    }

    static ContainerException Failure(RawProgram program, ProcessPlan plan, int err, string fallback) =>
        RawProgram.ReadFailure(err) is { } f ? new ContainerException(plan.DescribeFailure(program, f.OpIndex, f.Errno)) : new ContainerException(fallback);

    static int WaitForeground(int pid, int master)
    {
        using var forwarding = ForegroundProcess.ForwardSignals(pid);
        return ForegroundProcess.Wait(pid, master);
    }

    /// <summary>The process to run: --process FILE as a whole, or the container's process with the flags applied.</summary>
    static NRunc.Spec.Process BuildProcess(NRunc.Spec.Spec spec, ExecOptions o)
    {
        NRunc.Spec.Process p;
        if (o.ProcessFile is { } file)
        {
            var bytes = ConfigLoader.ReadFile(file, Path.GetFileName(file));
            p = ConfigLoader.ParseProcess(bytes, Path.GetFileName(file));
        }
        else
        {
            var c = spec.Process!;
            if (o.Args.Count == 0) throw new ContainerException("exec: command must not be empty (usage: nrunc exec [flags] <container-id> <command> [args...])");
            p = new NRunc.Spec.Process
            {
                Args = [.. o.Args],
                Env = [.. c.Env ?? []],
                Cwd = o.Cwd ?? c.Cwd,
                User = new User { Uid = c.User.Uid, Gid = c.User.Gid, Umask = c.User.Umask, AdditionalGids = c.User.AdditionalGids },
                Capabilities = c.Capabilities,
                Rlimits = c.Rlimits,
                NoNewPrivileges = c.NoNewPrivileges || o.NoNewPrivs,
                Terminal = o.Tty,
                ApparmorProfile = o.AppArmor ?? c.ApparmorProfile,
                SelinuxLabel = o.ProcessLabel ?? c.SelinuxLabel,
                OomScoreAdj = c.OomScoreAdj,
                Scheduler = c.Scheduler,
                IOPriority = c.IOPriority,
                ExecCpuAffinity = c.ExecCpuAffinity,
            };
            foreach (var e in o.Env) SetEnv(p.Env, e);
            if (o.User is { } u) ApplyUser(p.User, u);
            if (o.AdditionalGids.Count > 0)
                p.User.AdditionalGids = [.. o.AdditionalGids.Select(g => uint.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new ContainerException($"--additional-gids: invalid gid \"{g}\""))];
            if (o.Caps.Count > 0)
            {
                var caps = p.Capabilities is { } cc ? new LinuxCapabilities { Bounding = [.. cc.Bounding ?? []], Effective = [.. cc.Effective ?? []], Inheritable = cc.Inheritable, Permitted = [.. cc.Permitted ?? []], Ambient = [.. cc.Ambient ?? []] } : new LinuxCapabilities { Bounding = [], Effective = [], Permitted = [], Ambient = [] };
                foreach (var cap in o.Caps)
                {
                    var name = cap.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? cap.ToUpperInvariant() : "CAP_" + cap.ToUpperInvariant();
                    if (!NRunc.Spec.Capabilities.All.ContainsKey(name)) throw new ContainerException($"--cap: unknown capability \"{cap}\"");
                    foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted!, caps.Ambient! })
                        if (!set.Contains(name)) set.Add(name);
                }
                p.Capabilities = caps;
            }
        }
        if (p.Args is not { Count: > 0 }) throw new ContainerException("exec: process.args must not be empty");
        return p;
    }

    static void SetEnv(List<string> env, string kv)
    {
        int eq = kv.IndexOf('=');
        var key = eq < 0 ? kv : kv[..eq];
        env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal) || e == key);
        env.Add(kv);
    }

    static void ApplyUser(User user, string spec)
    {
        var parts = spec.Split(':', 2);
        if (!uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            throw new ContainerException($"--user: expected uid[:gid] as numbers, got \"{spec}\"");
        user.Uid = uid;
        if (parts.Length == 2)
        {
            if (!uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                throw new ContainerException($"--user: expected uid[:gid] as numbers, got \"{spec}\"");
            user.Gid = gid;
        }
    }

    static readonly (string Name, int Flag)[] NsFiles =
    [
        ("user", NamespacePlan.CLONE_NEWUSER), ("mnt", NamespacePlan.CLONE_NEWNS), ("pid", NamespacePlan.CLONE_NEWPID),
        ("net", NamespacePlan.CLONE_NEWNET), ("ipc", NamespacePlan.CLONE_NEWIPC), ("uts", NamespacePlan.CLONE_NEWUTS),
        ("cgroup", NamespacePlan.CLONE_NEWCGROUP), ("time", NamespacePlan.CLONE_NEWTIME),
    ];

    /// <summary>The namespaces where init differs from us (joining one we are already in fails for user namespaces).</summary>
    static int NamespacesToJoin(int initPid)
    {
        int flags = 0;
        var proc = "/proc/" + initPid.ToString(CultureInfo.InvariantCulture) + "/ns/";
        foreach (var (name, flag) in NsFiles)
        {
            var theirs = LinkTarget(proc + name);
            if (theirs is null) continue;
            if (theirs != LinkTarget("/proc/self/ns/" + name)) flags |= flag;
        }
        return flags;
    }

    static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    static int OpenProcRoot(int pid)
    {
        var path = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/root";
        fixed (byte* p = Utf8.Z(path))
            return NativeException.Check(Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", path);
    }

    /// <summary>The cgroups an exec'd process joins (exec --cgroup: a sub-cgroup of each); null without any.</summary>
    static ICgroupManager? ExecCgroups(ContainerRecord record, string? sub)
    {
        if (record.CgroupPaths.Count == 0) return null;
        var paths = new Dictionary<string, string>();
        foreach (var (k, v) in record.CgroupPaths)
            paths[k] = sub is null ? v : Path.Combine(v, sub.TrimStart('/'));
        return CgroupManagerFactory.FromPaths(paths, record.SystemdCgroup);
    }


}
