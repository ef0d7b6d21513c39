namespace NRunc.Spec;

/// <summary>The config.json that `nrunc spec [--rootless]` writes: runc's default spec, with nrunc's ociVersion.</summary>
public static class DefaultSpec
{
    /// <param name="rootless">the `--rootless` variant.</param>
    /// <param name="hostUid">rootless only: the host uid that container root maps to (runc uses geteuid()).</param>
    /// <param name="hostGid">rootless only: the host gid that container root maps to (runc uses getegid()).</param>
    public static Spec Create(bool rootless = false, uint hostUid = 0, uint hostGid = 0)
    {
        string[] caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var spec = new Spec
        {
            OciVersion = Spec.CurrentVersion,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities
                {
                    Bounding = [.. caps],
                    Effective = [.. caps],
                    Permitted = [.. caps],
                    Ambient = [.. caps],
                },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "runc",
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount
                {
                    Destination = "/dev/pts", Type = "devpts", Source = "devpts",
                    Options = rootless
                        ? ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
                        : ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
                },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                rootless
                    ? new Mount { Destination = "/sys", Type = "none", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] }
                    : new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new Linux
            {
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };

        if (rootless)
        {
            // Like `runc spec --rootless`: container root maps to the calling user, no network namespace,
            // a user namespace, sysfs bind-mounted, no gid=5 on devpts and no device cgroup rules.
            spec.Linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = hostUid, Size = 1 }];
            spec.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = hostGid, Size = 1 }];
            spec.Linux.Namespaces =
            [
                new LinuxNamespace { Type = NamespaceTypes.Pid },
                new LinuxNamespace { Type = NamespaceTypes.Ipc },
                new LinuxNamespace { Type = NamespaceTypes.Uts },
                new LinuxNamespace { Type = NamespaceTypes.Mount },
                new LinuxNamespace { Type = NamespaceTypes.User },
            ];
        }
        else
        {
            spec.Linux.Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] };
            spec.Linux.Namespaces =
            [
                new LinuxNamespace { Type = NamespaceTypes.Pid },
                new LinuxNamespace { Type = NamespaceTypes.Network },
                new LinuxNamespace { Type = NamespaceTypes.Ipc },
                new LinuxNamespace { Type = NamespaceTypes.Uts },
                new LinuxNamespace { Type = NamespaceTypes.Mount },
            ];
        }
        return spec;
    }
}
