using NRunc.Spec;

namespace NRunc.Container.Operations;

/// <summary>`nrunc features`: the runtime-spec features document built from <see cref="ImplementedFeatures"/>.</summary>
public static class FeaturesOperation
{
    public static Features Build() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = "1.3.0",
        Hooks = [.. ImplementedFeatures.Hooks],
        MountOptions = [.. ImplementedFeatures.MountOptions],
        Linux = new LinuxFeatures
        {
            Namespaces = [.. ImplementedFeatures.Namespaces],
            Capabilities = [.. Capabilities.Names],
            Cgroup = new CgroupFeatures
            {
                V1 = ImplementedFeatures.CgroupV1, V2 = ImplementedFeatures.CgroupV2,
                Systemd = ImplementedFeatures.CgroupSystemd, SystemdUser = ImplementedFeatures.CgroupSystemdUser,
                Rdma = false,
            },
            Seccomp = ImplementedFeatures.Seccomp
                ? new SeccompFeatures
                {
                    Enabled = true,
                    Actions = [.. ImplementedFeatures.SeccompActions],
                    Operators = [.. ImplementedFeatures.SeccompOperators],
                    Archs = [.. ImplementedFeatures.SeccompArchs()],
                    KnownFlags = [.. ImplementedFeatures.SeccompFlags],
                    SupportedFlags = [.. ImplementedFeatures.SeccompFlags],
                }
                : new SeccompFeatures { Enabled = false },
            Apparmor = new EnabledFeature { Enabled = false },
            Selinux = new EnabledFeature { Enabled = false },
            IntelRdt = new IntelRdtFeatures { Enabled = false },
            MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = ImplementedFeatures.IdmapMounts } },
            NetDevices = new EnabledFeature { Enabled = ImplementedFeatures.NetDevices },
            MemoryPolicy = new MemoryPolicyFeatures { Modes = [.. ImplementedFeatures.MemoryPolicyModes], Flags = [.. ImplementedFeatures.MemoryPolicyFlags] },
        },
        Annotations = new Dictionary<string, string>
        {
            ["org.opencontainers.runc.checkpoint.enabled"] = "false",
            ["io.github.nrunc.version"] = "0.1.0",
            ["io.github.seccomp.libseccomp.version"] = LibseccompVersion(),
        },
    };

    static string LibseccompVersion()
    {
        try { return NRunc.Seccomp.SeccompNames.LibseccompVersion; }
        catch (Exception e) when (e is not OutOfMemoryException) { return "unknown"; }
    }

    /// <summary>Indented with four spaces and a trailing newline, like runc's json.Encoder.SetIndent("", "    ").</summary>
    public static byte[] ToJson(Features f) =>
        JsonOutput.Serialize(f, FeaturesJsonContext.Default.Features, indented: true, indentSize: 4, newline: true);
}
