using System.Globalization;
using System.Text.Json;
using NRunc.Container.Process;
using NRunc.Container.Rootfs;
using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Seccomp;
using NRunc.Spec;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// `nrunc init`: a fresh process, already inside the container's namespaces and cgroups. It builds the container's
/// filesystem and process, reports ready, waits on the exec fifo for start, and execs the user's program. Until
/// ready, every error goes back to the parent over the init socket, with the phase, path and errno.
/// </summary>
internal static class InitProcess
{
    public static int Main()
    {
        var timing = Diagnostics.InitTiming.FromEnvironment();
        if (!int.TryParse(Environment.GetEnvironmentVariable("_NRUNC_INIT_SOCK"), NumberStyles.None, CultureInfo.InvariantCulture, out int sock))
        {
            Console.Error.WriteLine("nrunc init: this is an internal command, started by nrunc create");
            return 1;
        }
        bool ready = false;
        try
        {
            var cfg = InitChannel.ReceiveConfig(sock) ?? throw new ContainerException("init: no configuration from the parent");
            Run(cfg, sock, timing, () => ready = true);
            return 1; // not reached: Run execs
        }
        catch (Exception e)
        {
            var message = e is ContainerException or SpecException or RawProgramException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            if (!message.StartsWith("create: ", StringComparison.Ordinal)) message = "create: " + message;
            if (!ready)
            {
                try { InitChannel.SendMessage(sock, "error", message); } catch (NativeException) { }
            }
            else Console.Error.WriteLine("nrunc: " + message["create: ".Length..]);
            return 1;
        }
    }

    static void Run(InitConfig cfg, int sock, Diagnostics.InitTiming? timing, Action markReady)
    {
        var spec = ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(cfg.ConfigJson), "config.json");
        var process = spec.Process!;
        int ns = cfg.NewNamespaces;

        timing?.Mark("config");
        var nsForSysctl = SysctlNamespaces.FromSpec(spec.Linux);
        Sysctls.Validate(spec.Linux?.Sysctl, nsForSysctl);
        ProcessSetup.ValidateUts(spec, HasNs(cfg, NamespacePlan.CLONE_NEWUTS));
        // Libraries are loaded and the seccomp filter compiled while the host's filesystem is still visible.
        SeccompProgram? seccomp = cfg.SeccompBpf is { } bpf64
            ? SeccompProgram.FromBpf(Convert.FromBase64String(bpf64), cfg.SeccompFlags, cfg.SeccompNotify) : null;

        var rootfs = new RootfsContext
        {
            Spec = spec,
            RootfsPath = cfg.RootfsPath,
            BundlePath = cfg.Bundle,
            NoPivot = cfg.NoPivot,
            NewUserNamespace = (ns & NamespacePlan.CLONE_NEWUSER) != 0 || (cfg.JoinedNamespaces & NamespacePlan.CLONE_NEWUSER) != 0,
            NewNetworkNamespace = (ns & NamespacePlan.CLONE_NEWNET) != 0,
            NewCgroupNamespace = (ns & NamespacePlan.CLONE_NEWCGROUP) != 0,
            CgroupPaths = cfg.CgroupPaths,
            Terminal = process.Terminal == true,
            PreparedMountFds = cfg.PreparedMounts,
        };
        bool newMountNs = (ns & NamespacePlan.CLONE_NEWNS) != 0;
        if (newMountNs) RootfsSetup.Prepare(rootfs);
        timing?.Mark("mounts");

        if (cfg.RuntimeHooks)
        {
            InitChannel.SendMessage(sock, "hooks");
            var reply = InitChannel.ReceiveMessage(sock);
            if (reply?.Type != "hooks-done") throw new ContainerException("create: the runtime's hooks failed");
        }
        var state = StateJson(cfg, spec, "creating");
        HookRunner.RunAll("createContainer", spec.Hooks?.CreateContainer, state);
        timing?.Mark("hooks");

        if (newMountNs)
        {
            RootfsSetup.EnsureDirectory(rootfs, process.Cwd); // runc creates a missing cwd, inside the rootfs
            RootfsSetup.Pivot(rootfs);
            timing?.Mark("pivot");
        }
        else if (cfg.JoinedNamespaces == 0 || (cfg.JoinedNamespaces & NamespacePlan.CLONE_NEWNS) == 0)
            throw new ContainerException("create: a mount namespace is required (linux.namespaces has no \"mount\" entry)");

        bool userNs = rootfs.NewUserNamespace;
        if ((ns & NamespacePlan.CLONE_NEWNET) != 0) Loopback.BringUp();
        ProcessSetup.SetHostname(spec.Hostname, HasNs(cfg, NamespacePlan.CLONE_NEWUTS));
        ProcessSetup.SetDomainname(spec.Domainname, HasNs(cfg, NamespacePlan.CLONE_NEWUTS));
        Sysctls.Apply(spec.Linux?.Sysctl);
        ProcessSetup.ValidateLsm(process);
        ProcessSetup.SetOomScoreAdj(process.OomScoreAdj);
        if (process.Terminal == true && cfg.ConsoleSocketFd >= 0) ConsoleSetup.SetupInit(cfg.ConsoleSocketFd, process.ConsoleSize);
        if (newMountNs) RootfsSetup.Finish(rootfs);
        var cwdStep = ProcessSetup.EnterCwd(process.Cwd);

        var env = ProcessSetup.WithHome(process.Env ?? [], process.User.Uid, ProcessSetup.ReadPasswd());
        if (cfg.ExtraEnv is { } extra) env.AddRange(extra);
        ProcessSetup.FixStdioPermissions(process.User.Uid);
        ProcessSetup.ApplyThreadSettings(process, spec.Linux?.Personality, new ProcessSetup.ThreadSettingsOptions(cfg.Id, cfg.NoNewKeyring, userNs));
        var execPath = ExecLookup.LookPath(process.Args![0], env);
        timing?.Mark("process");

        int notifyFd = -1;
        ReadOnlyMemory<byte> bpf = default;
        uint seccompFlags = 0;
        if (seccomp is not null)
        {
            if (seccomp.UsesNotify)
            {
                // The agent gets the listener through the parent: init cannot see the host's socket path any more.
                notifyFd = seccomp.Load();
                InitChannel.SendMessage(sock, "seccomp");
                ConsoleSetup.SendMaster(sock, notifyFd, "seccomp");
                Libc.close(notifyFd);
            }
            else
            {
                bpf = seccomp.ExportBpf();
                seccompFlags = seccomp.KernelFlags;
            }
        }

        timing?.Mark("seccomp");
        var startHooks = spec.Hooks?.StartContainer is { Count: > 0 } sh ? sh : null;
        var fifo = "/proc/self/fd/" + cfg.FifoFd.ToString(CultureInfo.InvariantCulture);
        var b = new RawProgramBuilder();
        MemoryPolicy.Append(b, spec.Linux?.MemoryPolicy);
        var plan = ProcessPlan.AppendFinalSteps(b, new ProcessPlanInput
        {
            Process = process,
            Env = env,
            PreserveFds = cfg.PreserveFds,
            SetgroupsAllowed = cfg.SetgroupsAllowed,
            SeccompBpf = bpf,
            SeccompFlags = seccompFlags,
            NoNewPrivileges = process.NoNewPrivileges == true,
            ExecPath = execPath,
            Cwd = cwdStep,
        });
        using var program = b.Build();

        timing?.Mark("plan");
        InitChannel.SendMessage(sock, "ready", timing?.Encode());
        Libc.close(sock);
        markReady();
        // Blocks until start opens the fifo for reading; then the hooks and the raw steps that end in exec.
        int fifoFd = OpenFifo(fifo);
        HookRunner.RunAll("startContainer", startHooks, StateJson(cfg, spec, "created"));
        // start waits for this second byte when there are startContainer hooks; the fd closes at exec (O_CLOEXEC)
        if (startHooks is not null) WriteByte(fifoFd, (byte)'1');
        try { program.RunHere(); }
        catch (RawProgramException e) { throw new ContainerException(plan.DescribeFailure(e)); }
    }

    static bool HasNs(InitConfig cfg, int flag) => ((cfg.NewNamespaces | cfg.JoinedNamespaces) & flag) != 0;

    /// <summary>Opens the exec fifo for writing (blocks until `start` opens it for reading) and writes '0'; returns the fd.</summary>
    static unsafe int OpenFifo(string fifo)
    {
        int fd;
        fixed (byte* p = Utf8.Z(fifo)) fd = NativeException.Check(Libc.open(p, Libc.O_WRONLY | Libc.O_CLOEXEC, 0), "open", "exec fifo");
        WriteByte(fd, (byte)'0');
        return fd;
    }

    static unsafe void WriteByte(int fd, byte b) => Libc.write(fd, &b, 1);

    static byte[] StateJson(InitConfig cfg, NRunc.Spec.Spec spec, string status) =>
        HookState.ToUtf8(cfg.Id, status, cfg.HostPid, cfg.Bundle, spec.Annotations);
}
