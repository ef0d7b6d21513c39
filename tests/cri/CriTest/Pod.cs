using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>
/// One pod sandbox run through the CRI with the handler under test, and its containers.
/// Disposing stops and removes the pod (idempotent), so a failed scenario leaves nothing behind.
/// </summary>
public sealed class Pod : IAsyncDisposable
{
    static int _serial;

    readonly Suite _suite;
    public string Id { get; }
    public PodSandboxConfig Config { get; }
    /// <summary>Milliseconds RunPodSandbox took.</summary>
    public long StartMs { get; }
    public string CgroupParent => Config.Linux.CgroupParent;
    public readonly List<string> Containers = [];
    bool _removed;

    Pod(Suite suite, string id, PodSandboxConfig config, long startMs)
    {
        _suite = suite;
        Id = id;
        Config = config;
        StartMs = startMs;
    }

    CriConnection Cri => _suite.Cri;

    /// <summary>Namespaces: network NODE (POD with CNI when asked), IPC POD, pid CONTAINER unless customised.</summary>
    public static async Task<Pod> Run(Suite suite, string name, Action<PodSandboxConfig>? customize = null, string? handler = null)
    {
        var n = Interlocked.Increment(ref _serial);
        var uid = $"{Environment.ProcessId}-{n}-{Guid.NewGuid():N}"[..28];
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = $"{name}-{n}", Uid = uid, Namespace = "nrunc-cri", Attempt = 0 },
            Hostname = $"{name}-{n}",
            LogDirectory = Path.Combine(suite.Options.Work, "logs", uid),
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = $"{suite.Options.CgroupRoot}/pod{uid}",
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption
                    {
                        Network = NamespaceMode.Node,
                        Pid = NamespaceMode.Container,
                        Ipc = NamespaceMode.Pod,
                    },
                },
            },
        };
        config.Labels["nrunc-cri"] = "1";
        customize?.Invoke(config);
        // like kubelet: a host-network pod shares the node's UTS namespace and keeps its hostname
        if (config.Linux.SecurityContext.NamespaceOptions.Network == NamespaceMode.Node) config.Hostname = "";
        Directory.CreateDirectory(config.LogDirectory);
        var sw = Stopwatch.StartNew();
        var resp = await suite.Cri.Runtime.RunPodSandboxAsync(
            new RunPodSandboxRequest { Config = config, RuntimeHandler = handler ?? suite.Options.Handler },
            CriConnection.Within(120));
        return new Pod(suite, resp.PodSandboxId, config, sw.ElapsedMilliseconds);
    }

    /// <summary>Creates a container (image, command, log file NAME.log, the pod's namespace options, kubelet's
    /// default masked and read-only paths); not started.</summary>
    public async Task<string> Create(string name, string[] command, Action<ContainerConfig>? customize = null)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = _suite.Options.Image },
            LogPath = $"{name}.log",
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources(),
                SecurityContext = new LinuxContainerSecurityContext
                {
                    NamespaceOptions = Config.Linux.SecurityContext.NamespaceOptions.Clone(),
                    // kubelet sends these defaults for every unprivileged container; containerd adds none itself
                    MaskedPaths =
                    {
                        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                    },
                    ReadonlyPaths = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" },
                },
            },
        };
        config.Command.AddRange(command);
        customize?.Invoke(config);
        var resp = await Cri.Runtime.CreateContainerAsync(
            new CreateContainerRequest { PodSandboxId = Id, Config = config, SandboxConfig = Config },
            CriConnection.Within(120));
        Containers.Add(resp.ContainerId);
        return resp.ContainerId;
    }

    public async Task Start(string containerId) =>
        await Cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId }, CriConnection.Within(120));

    /// <summary>Create and start.</summary>
    public async Task<string> Launch(string name, string[] command, Action<ContainerConfig>? customize = null)
    {
        var id = await Create(name, command, customize);
        await Start(id);
        return id;
    }

    public async Task<ExecSyncResponse> ExecSync(string containerId, string[] cmd, int timeoutSeconds = 0) =>
        await Cri.Runtime.ExecSyncAsync(
            new ExecSyncRequest { ContainerId = containerId, Cmd = { cmd }, Timeout = timeoutSeconds },
            CriConnection.Within(timeoutSeconds > 0 ? timeoutSeconds + 30 : 60));

    /// <summary>Runs sh -c SCRIPT in the container; checks exit 0 and returns stdout.</summary>
    public async Task<string> Sh(string containerId, string script)
    {
        var r = await ExecSync(containerId, ["sh", "-c", script]);
        if (r.ExitCode != 0)
            throw new CheckFailed($"exec '{script}' exited {r.ExitCode}: {r.Stderr.ToStringUtf8().Trim()}");
        return r.Stdout.ToStringUtf8();
    }

    public async Task<ContainerStatus> Status(string containerId) =>
        (await Cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, CriConnection.Within())).Status;

    /// <summary>Host pid of the container's init, from containerd's verbose status.</summary>
    public async Task<int> Pid(string containerId)
    {
        var resp = await Cri.Runtime.ContainerStatusAsync(
            new ContainerStatusRequest { ContainerId = containerId, Verbose = true }, CriConnection.Within());
        return PidFromInfo(resp.Info);
    }

    /// <summary>Host pid of the pod's sandbox (pause) process.</summary>
    public async Task<int> SandboxPid()
    {
        var resp = await Cri.Runtime.PodSandboxStatusAsync(
            new PodSandboxStatusRequest { PodSandboxId = Id, Verbose = true }, CriConnection.Within());
        return PidFromInfo(resp.Info);
    }

    static int PidFromInfo(Google.Protobuf.Collections.MapField<string, string> info)
    {
        if (!info.TryGetValue("info", out var json))
            throw new CheckFailed("verbose status has no 'info'");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("pid").GetInt32();
    }

    /// <summary>Polls ContainerStatus until the container has exited.</summary>
    public async Task<ContainerStatus> WaitExited(string containerId, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var s = await Status(containerId);
            if (s.State == ContainerState.ContainerExited) return s;
            if (DateTime.UtcNow > until)
                throw new CheckFailed($"container {Short(containerId)} still {s.State} after {seconds} s");
            await Task.Delay(100);
        }
    }

    public string LogFile(string name) => Path.Combine(Config.LogDirectory, $"{name}.log");

    public static string Short(string id) => id.Length > 12 ? id[..12] : id;

    /// <summary>StopPodSandbox then RemovePodSandbox (what kubelet does).</summary>
    public async Task Remove()
    {
        if (_removed) return;
        _removed = true;
        await Cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = Id }, CriConnection.Within(120));
        await Cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = Id }, CriConnection.Within(120));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Remove();
        }
        catch (Exception e)
        {
            Tap.Comment($"cleanup of pod {Short(Id)} failed: {e.Message.Split('\n')[0]}");
        }
    }
}

public static class ByteStringText
{
    public static string Text(this Google.Protobuf.ByteString b) => Encoding.UTF8.GetString(b.Span);
}
