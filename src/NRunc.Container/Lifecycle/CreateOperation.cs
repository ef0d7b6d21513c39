using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NRunc.Cgroups;
using NRunc.Container.Diagnostics;
using NRunc.Container.Process;
using NRunc.Container.Rootless;
using NRunc.Container.State;
using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Spec;
using NRunc.Seccomp;
using ContainerStatus = NRunc.Container.State.ContainerStatus;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// The parent side of create: everything is prepared here, a raw clone enters the namespaces and execs `nrunc init`,
/// and this process drives init over a socket until it reports ready. On any failure nothing is left behind.
/// </summary>
internal sealed unsafe class CreateOperation : IDisposable
{
    // Values the stage-1 child and the parent exchange on the sync socket.
    const int SyncReady = 1, SyncGo = 2;

    readonly RuntimeContext _ctx;
    readonly CreateOptions _o;
    readonly StateStore _store;
    readonly List<int> _fds = [];
    NamespacePlan? _ns;
    ICgroupManager? _cgroups;
    int _initPid;
    long _cloned; // monotonic time of the clone, for the init timing line
    bool _dirCreated;
    bool _setgroupsAllowed = true;

    /// <summary>For run: a console socket fd made by nrunc itself (it then proxies the terminal).</summary>
    public int OwnConsoleSocketFd { get; init; } = -1;

    public ContainerRecord Record { get; private set; } = null!;
    public NRunc.Spec.Spec Spec { get; private set; } = null!;

    public CreateOperation(RuntimeContext ctx, CreateOptions o)
    {
        _ctx = ctx;
        _o = o;
        _store = new StateStore(ctx.Root);
    }

    public void Run()
    {
        var t = Timing.Start();
        StateStore.ValidateId(_o.Id);
        var bundle = Path.GetFullPath(_o.Bundle);
        var configPath = Path.Combine(bundle, "config.json");
        var configBytes = ConfigLoader.ReadFile(configPath, "config.json");
        Spec = ConfigLoader.Parse(configBytes, "config.json");
        SpecValidator.Validate(Spec);
        RootlessChecks.Validate(Spec);
        var rootPath = Spec.Root?.Path ?? throw new ContainerException("config.json: root.path: required");
        var rootfs = Path.GetFullPath(Path.Combine(bundle, rootPath));
        if (!Directory.Exists(rootfs)) throw new ContainerException($"config.json: root.path: rootfs \"{rootfs}\" does not exist or is not a directory");
        RejectUnsupported(Spec);
        t.Mark("config");

        Directory.CreateDirectory(_store.Root);
        var dir = _store.CreateContainerDir(_o.Id);
        _dirCreated = true;
        // Held until create returns: state and delete wait for a create in progress instead of racing it.
        IDisposable? held = null;
        try
        {
            held = _store.Lock(_o.Id);
            Create(bundle, rootfs, configBytes, dir, t);
        }
        catch
        {
            held?.Dispose();
            held = null;
            Cleanup();
            throw;
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>Features this host or nrunc cannot provide fail create up front, naming the JSON path (as runc does for RDT).</summary>
    static void RejectUnsupported(NRunc.Spec.Spec spec)
    {
        if (spec.Linux?.NetDevices is { Count: > 0 } && !(spec.Linux.Namespaces ?? []).Exists(n => n.Type == "network"))
            throw new ContainerException("config.json: linux.netDevices: needs a network namespace (linux.namespaces has no \"network\" entry)");
        NetDevices.CheckHostDevices(spec.Linux?.NetDevices);
        if (spec.Linux?.IntelRdt is not null && !File.Exists("/sys/fs/resctrl/schemata"))
            throw new ContainerException("config.json: linux.intelRdt: Intel RDT is specified in config, but resctrl is not mounted on this host");
    }

    void Create(string bundle, string rootfs, byte[] configBytes, string dir, Timing t)
    {
        var spec = Spec;
        var configCopy = Path.Combine(dir, "config.json");
        StateStore.WriteAtomic(configCopy, configBytes, 0x180);

        // The record is written before anything is made, so that delete --force can always finish the job.
        Record = new ContainerRecord
        {
            Id = _o.Id,
            Bundle = bundle,
            Rootfs = rootfs,
            Created = DateTimeOffset.UtcNow,
            Owner = OwnerName(),
            Annotations = spec.Annotations,
            ConfigPath = configCopy,
            SystemdCgroup = _ctx.SystemdCgroup,
            Rootless = RootlessMode.CgroupsRootless(_ctx.Rootless),
            // Who is creating it: once this process is gone without an init pid recorded, the create was aborted.
            Extra = new Dictionary<string, string> { [StatusProbe.CreatorKey] = StatusProbe.CreatorIdentity(Environment.ProcessId) },
        };
        _cgroups = CgroupManagerFactory.ForContainer(_o.Id, spec.Linux?.CgroupsPath, _ctx.SystemdCgroup, Record.Rootless);
        Record.CgroupPaths = new Dictionary<string, string>(_cgroups.Paths);
        _store.Save(Record);
        FaultPoint.Hit("after-record");

        var fifoPath = Path.Combine(dir, StateStore.ExecFifo);
        fixed (byte* p = Utf8.Z(fifoPath)) NativeException.Check(Libc.mkfifo(p, 0x1b6 /* 0666 & umask → chmod below */), "mkfifo", fifoPath);
        File.SetUnixFileMode(fifoPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        int minFd = 3 + _o.PreserveFds + ListenFds();
        int fifoFd = Keep(OpenAbove(fifoPath, Libc.O_PATH | Libc.O_CLOEXEC_FLAG, minFd));

        try { _cgroups.Create(); }
        catch (CgroupException e) when (Record.Rootless)
        {
            throw new ContainerException($"config.json: linux.cgroupsPath: {e.Message} (rootless: an explicit cgroupsPath must be a cgroup delegated to uid {Libc.EffectiveUid()})", e);
        }
        FaultPoint.Hit("after-cgroups");
        t.Mark("cgroups");
        _ns = NamespacePlan.From(spec);
        // config.md: capabilities that cannot be granted are logged as a warning, not an error
        if (spec.Process?.Capabilities is { } caps && CapabilitySets.From(caps, ProcessPlan.KernelLastCap()).Warning is { } capWarning)
            Log.Warn(capWarning);
        SeccompProgram? seccomp = SeccompProgram.IsEnabled(spec.Linux?.Seccomp)
            ? SeccompProgram.Prepare(spec.Linux!.Seccomp!, SeccompCache.Dir(_store.Root)) : null;
        t.Mark("seccomp");
        int exeFd = Keep(ReexecBinary.Open());
        var preparedMounts = new Dictionary<int, int>();
        if (_ns.IsNew(NamespacePlan.CLONE_NEWUSER))
            foreach (var (index, mfd) in NRunc.Container.Rootfs.PreparedIdMappedMounts.Prepare(spec, bundle))
                preparedMounts[index] = Keep(MoveAbove(mfd, minFd));
        t.Mark("prepare");

        int* sync = stackalloc int[2];
        NativeException.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, sync), "socketpair");
        Keep(sync[0]); int childSync = sync[1];
        int* init = stackalloc int[2];
        NativeException.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, init), "socketpair");
        Keep(init[0]);
        int childInit = MoveAbove(init[1], minFd);
        int* err = stackalloc int[2];
        NativeException.Check(Libc.pipe2(err, Libc.O_CLOEXEC_FLAG), "pipe2");
        Keep(err[0]); int childErr = err[1];

        int consoleFd = -1;
        if (OwnConsoleSocketFd >= 0) consoleFd = MoveAbove(Libc.fcntl_int(OwnConsoleSocketFd, Libc.F_DUPFD_CLOEXEC, minFd), minFd);
        else if (_o.ConsoleSocket is { } cs)
        {
            if (spec.Process!.Terminal != true) throw new ContainerException("cannot use console socket if runc will not detach or allocate tty");
            consoleFd = MoveAbove(Libc.ConnectUnix(Path.GetFullPath(cs)), minFd);
        }
        else if (spec.Process!.Terminal == true)
            throw new ContainerException("cannot allocate tty if runc will detach without setting console socket");

        var env = new List<string>
        {
            "_NRUNC_INIT_SOCK=" + childInit.ToString(CultureInfo.InvariantCulture),
        };
        if (_ctx.Debug) env.Add("_NRUNC_DEBUG=1");
        FaultPoint.PassTo(env);

        int pid1;
        using (var program = BuildStage1(childSync, childErr, childInit, fifoFd, consoleFd, exeFd, env, preparedMounts.Values, [sync[0], init[0], err[0]]))
        {
            pid1 = program.Spawn(0);
            FaultPoint.Hit("after-clone");
            Libc.close(childSync);
            Libc.close(childErr);
            Libc.close(childInit);
            if (consoleFd >= 0) Libc.close(consoleFd);
            t.Mark("clone");
            _cloned = System.Diagnostics.Stopwatch.GetTimestamp();
            _initPid = DriveStage1(program, pid1, sync[0], err[0], t);
            t.Mark("unshare-exec"); // stage 1 creates the namespaces, forks init, init execs nrunc
        }

        var stat = ProcStat.Read(_initPid) ?? throw new ContainerException("create: container init exited before it could be started");
        Record.InitPid = _initPid;
        Record.InitStartTime = stat.StartTime;
        // Rootless: only the cgroups that could be created and joined.
        if (Record.Rootless) Record.CgroupPaths = new Dictionary<string, string>(_cgroups.Paths);
        Record.Extra = new Dictionary<string, string> { ["namespaces"] = _ns.NewFlags.ToString(CultureInfo.InvariantCulture) };
        _store.Save(Record);
        FaultPoint.Hit("after-init-pid");
        NetDevices.Move(spec.Linux?.NetDevices, _initPid);
        t.Mark("netdevices");

        var cfg = new InitConfig
        {
            Id = _o.Id,
            Bundle = bundle,
            RootfsPath = rootfs,
            ConfigPath = configCopy,
            ConfigJson = System.Text.Encoding.UTF8.GetString(configBytes),
            HostPid = _initPid,
            NoPivot = _o.NoPivot,
            NoNewKeyring = _o.NoNewKeyring,
            PreserveFds = _o.PreserveFds + ListenFds(),
            ConsoleSocketFd = consoleFd,
            FifoFd = fifoFd,
            NewNamespaces = _ns.NewFlags,
            JoinedNamespaces = _ns.Joins.Aggregate(0, (a, j) => a | j.Flag),
            CgroupPaths = new Dictionary<string, string>(_cgroups.Paths),
            ExtraEnv = ListenEnv(),
            Created = Record.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            Owner = Record.Owner,
            SeccompBpf = seccomp is null ? null : Convert.ToBase64String(seccomp.ExportBpf()),
            SeccompFlags = seccomp?.KernelFlags ?? 0,
            SeccompNotify = seccomp?.UsesNotify ?? false,
            PreparedMounts = preparedMounts.Count > 0 ? preparedMounts : null,
            SetgroupsAllowed = _setgroupsAllowed,
            RuntimeHooks = spec.Hooks is { } h && (h.Prestart is { Count: > 0 } || h.CreateRuntime is { Count: > 0 }),
        };
        seccomp?.Dispose();
        InitChannel.SendConfig(init[0], cfg);
        WaitReady(init[0], t);
        t.Mark("init");
        FaultPoint.Hit("before-start");

        if (_o.PidFile is { } pf) StateStore.WriteAtomic(Path.GetFullPath(pf), System.Text.Encoding.ASCII.GetBytes(_initPid.ToString(CultureInfo.InvariantCulture)), 0x1a4);
        t.Mark("pidfile");
        t.Report("create");
    }

    /// <summary>
    /// Stage 1 runs in the raw clone: join the cgroups (v1), join namespaces, create a user namespace and wait for its id maps (and for the
    /// parent to move it into the cgroups), create the other namespaces, then fork init as the parent's child.
    /// Stage 2 (init) restores the signal mask and execs nrunc init from the protected binary.
    /// </summary>
    RawProgram BuildStage1(int sync, int err, int initSock, int fifoFd, int consoleFd, int exeFd, List<string> env, IEnumerable<int> mountFds, int[] parentEnds)
    {
        var ns = _ns!;
        var b = new RawProgramBuilder { ErrorFd = err };
        // Drop the copies of the parent's ends: if create dies, the sync wait below then sees EOF and the child exits.
        foreach (var parentEnd in parentEnds) b.Add(RawOpCode.CloseRange, "closing the parent's socket ends", parentEnd, parentEnd, 0);
        b.Add(RawOpCode.Prctl, "prctl PR_SET_DUMPABLE", 4 /* PR_SET_DUMPABLE */, 0);
        // Join the cgroups from inside (cheaper, see ICgroupManager.SelfJoinFiles), still in the host's namespaces;
        // init forks from here and inherits them, long before the user process starts.
        foreach (var tasks in _cgroups!.SelfJoinFiles())
            b.Add(RawOpCode.WriteFile, $"joining cgroup {Path.GetDirectoryName(tasks)}", b.String(tasks), b.Bytes("0"u8), 1);
        foreach (var j in ns.Joins)
            if (j.Flag == NamespacePlan.CLONE_NEWUSER)
                b.Add(RawOpCode.Setns, $"joining {NamespacePlan.TypeName(j.Flag)} namespace {j.Path}", j.Fd, j.Flag);
        bool newUser = ns.IsNew(NamespacePlan.CLONE_NEWUSER);
        if (newUser) b.Add(RawOpCode.Unshare, "unshare user namespace", NamespacePlan.CLONE_NEWUSER);
        // An unprivileged parent (or newuidmap) can open our /proc/PID/uid_map only while we are dumpable: for
        // that moment only, as runc does; nothing else runs in the new user namespace yet.
        bool dumpableForMaps = newUser && RootlessMode.IsUnprivileged;
        if (dumpableForMaps) b.Add(RawOpCode.Prctl, "prctl PR_SET_DUMPABLE 1 (for the id maps)", 4 /* PR_SET_DUMPABLE */, 1);
        b.Add(RawOpCode.SyncSend, "sync with parent", sync, SyncReady);
        b.Add(RawOpCode.SyncWait, "waiting for parent (id maps and cgroups)", sync, SyncGo);
        if (dumpableForMaps) b.Add(RawOpCode.Prctl, "prctl PR_SET_DUMPABLE 0", 4 /* PR_SET_DUMPABLE */, 0);
        if (newUser || ns.Joins.Exists(j => j.Flag == NamespacePlan.CLONE_NEWUSER))
        {
            b.Add(RawOpCode.Setresgid, "setresgid 0 in user namespace", 0);
            b.Add(RawOpCode.Setresuid, "setresuid 0 in user namespace", 0);
        }
        foreach (var j in ns.Joins)
            if (j.Flag != NamespacePlan.CLONE_NEWUSER)
                b.Add(RawOpCode.Setns, $"joining {NamespacePlan.TypeName(j.Flag)} namespace {j.Path}", j.Fd, j.Flag);
        int rest = ns.NewFlags & ~NamespacePlan.CLONE_NEWUSER;
        if (rest != 0) b.Add(RawOpCode.Unshare, "unshare namespaces", rest);
        if (ns.IsNew(NamespacePlan.CLONE_NEWTIME) && Spec.Linux?.TimeOffsets is { Count: > 0 } offsets)
        {
            var text = string.Concat(offsets.Select(kv => $"{kv.Key} {kv.Value.Secs} {kv.Value.Nanosecs}\n"));
            var data = System.Text.Encoding.ASCII.GetBytes(text);
            b.Add(RawOpCode.WriteFile, "writing /proc/self/timens_offsets", b.String("/proc/self/timens_offsets"), b.Bytes(data), data.Length);
        }
        // CLONE_PARENT: init becomes our child, so run can wait for it and a subreaper above us inherits it.
        b.Add(RawOpCode.ForkReportExit, "clone container init", 0x8000 /* CLONE_PARENT */, sync);
        // Stage 2: init. Keep exactly the fds init needs across exec.
        b.Add(RawOpCode.Dup3, "passing init socket", initSock, initSock, 0);
        b.Add(RawOpCode.Dup3, "passing exec fifo", fifoFd, fifoFd, 0);
        if (consoleFd >= 0) b.Add(RawOpCode.Dup3, "passing console socket", consoleFd, consoleFd, 0);
        foreach (var mfd in mountFds) b.Add(RawOpCode.Dup3, "passing an id-mapped mount", mfd, mfd, 0);
        for (int fd = 3; fd < 3 + _o.PreserveFds + ListenFds(); fd++) b.Add(RawOpCode.Dup3, $"preserving fd {fd}", fd, fd, 0);
        b.Add(RawOpCode.SignalMaskRestore, "restoring signal mask");
        b.Add(RawOpCode.Execveat, "exec nrunc init", exeFd, b.StringArray(["nrunc", "init"]), b.StringArray(env));
        return b.Build();
    }

    int DriveStage1(RawProgram program, int pid1, int sync, int err, Timing t)
    {
        try
        {
            if (SyncSocket.ReadInt(sync) is not SyncReady) throw StageFailure(program, err);
            if (_cgroups!.SelfJoinFiles().Count == 0) _cgroups.Apply(pid1); // else stage 1 has joined them itself
            // Device rules need linux.devices too, and are written even without linux.resources.
            _cgroups.LinuxDevices = Spec.Linux?.Devices ?? [];
            try { _cgroups.Set(Spec.Linux?.Resources); }
            catch (CgroupException e) when (Record.Rootless) { throw new ContainerException("config.json: linux.resources: " + e.Message, e); }
            // cgroup ownership: a v2 cgroup is handed to container root when it has its own user and cgroup namespace
            if (_cgroups.IsUnified && _cgroups.Exists() && _ns!.IsNew(NamespacePlan.CLONE_NEWUSER) && _ns.IsNew(NamespacePlan.CLONE_NEWCGROUP))
                NRunc.Cgroups.Fs2.Fs2Ownership.Chown(_cgroups.Paths[""], Spec.Linux?.UidMappings, Spec.Linux?.GidMappings);
            t.Mark("cgroup-apply");
            FaultPoint.Hit("after-cgroup-apply");
            if (_ns!.IsNew(NamespacePlan.CLONE_NEWUSER)) _setgroupsAllowed = IdMaps.Write(pid1, Spec.Linux);
            SyncSocket.WriteInt(sync, SyncGo);
            int? pid2 = SyncSocket.ReadInt(sync);
            if (pid2 is not > 0) throw StageFailure(program, err);
            FaultPoint.Hit("after-init-fork");
            var failure = RawProgram.ReadFailure(err); // EOF once init has exec'd
            if (failure is { } f) { Libc.kill(pid2.Value, 9); HookRunner.WaitExit(pid2.Value); throw new ContainerException("create: " + program.DescribeFailure(f.OpIndex, f.Errno)); }
            return pid2.Value;
        }
        catch
        {
            // Stage 1 may still wait for SyncGo: it must not outlive this failure (nor hang the wait below).
            Libc.kill(pid1, 9);
            throw;
        }
        finally
        {
            HookRunner.WaitExit(pid1);
        }
    }

    static ContainerException StageFailure(RawProgram program, int err)
    {
        var f = RawProgram.ReadFailure(err);
        return new ContainerException(f is { } x ? "create: " + program.DescribeFailure(x.OpIndex, x.Errno) : "create: container setup process exited unexpectedly");
    }

    void WaitReady(int sock, Timing t)
    {
        while (true)
        {
            var m = InitChannel.ReceiveMessage(sock);
            if (m is null) throw new ContainerException("create: container init exited unexpectedly");
            switch (m.Type)
            {
                case "hooks":
                    var state = StateJson(ContainerStatus.Creating);
                    HookRunner.RunAll("prestart", Spec.Hooks?.Prestart, state);
                    HookRunner.RunAll("createRuntime", Spec.Hooks?.CreateRuntime, state);
                    InitChannel.SendMessage(sock, "hooks-done");
                    t.Mark("hooks");
                    break;
                case "seccomp":
                    // init loaded a filter with SCMP_ACT_NOTIFY: its listener fd goes to the seccomp agent.
                    int notifyFd = NRunc.Container.Process.ConsoleSetup.ReceiveMaster(sock, out _);
                    try
                    {
                        var sc = Spec.Linux!.Seccomp!;
                        SeccompNotify.SendToListener(sc.ListenerPath!, sc.ListenerMetadata, notifyFd, StateJson(ContainerStatus.Creating), _initPid, Spec.OciVersion);
                    }
                    finally { Libc.close(notifyFd); }
                    break;
                case "ready":
                    if (m.Message is { } timing) Log.Debug("init timing: " + InitTiming.Describe(timing, _cloned));
                    return;
                case "error":
                    throw new ContainerException(m.Message ?? "create: container init failed");
                default:
                    FaultPoint.OnInitMessage(m.Type);
                    throw new ContainerException($"create: unexpected message from init: {m.Type}");
            }
        }
    }

    byte[] StateJson(ContainerStatus status) => HookState.ToUtf8(Record, status);



    int Keep(int fd) { _fds.Add(fd); return fd; }

    static int OpenAbove(string path, int flags, int minFd)
    {
        int fd;
        fixed (byte* p = Utf8.Z(path)) fd = NativeException.Check(Libc.open(p, flags, 0), "open", path);
        return MoveAbove(fd, minFd);
    }

    /// <summary>Keeps fds handed to init out of the range of preserved fds (3 .. 3+N-1).</summary>
    static int MoveAbove(int fd, int minFd)
    {
        if (fd >= minFd) return fd;
        int moved = NativeException.Check(Libc.fcntl_int(fd, Libc.F_DUPFD_CLOEXEC, minFd), "fcntl F_DUPFD_CLOEXEC");
        Libc.close(fd);
        return moved;
    }

    /// <summary>systemd socket activation: LISTEN_FDS fds after the preserved ones are passed on, when LISTEN_PID names us.</summary>
    static int ListenFds() =>
        int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 &&
        Environment.GetEnvironmentVariable("LISTEN_PID") == Environment.ProcessId.ToString(CultureInfo.InvariantCulture) ? n : 0;

    static List<string>? ListenEnv() => ListenFds() is > 0 and var n ? [$"LISTEN_FDS={n}", "LISTEN_PID=1"] : null;

    static string OwnerName()
    {
        var uid = Libc.EffectiveUid();
        return uid == 0 ? "root" : uid.ToString(CultureInfo.InvariantCulture);
    }

    void Cleanup()
    {
        if (_initPid > 0)
        {
            Libc.kill(_initPid, 9);
            try { HookRunner.WaitExit(_initPid); } catch (NativeException) { }
        }
        try { _cgroups?.Destroy(); } catch (Exception e) { Log.Warn($"create cleanup: {e.Message}"); }
        if (_dirCreated) { try { _store.Remove(_o.Id); } catch (Exception e) { Log.Warn($"create cleanup: {e.Message}"); } }
    }

    public void Dispose()
    {
        foreach (var fd in _fds) Libc.close(fd);
        _fds.Clear();
        _ns?.Dispose();
    }
}
