using System.Text.Json.Serialization;

namespace NRunc.Spec;

// The `linux` section of config.json (config-linux.md).

public sealed class Linux
{
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    /// <summary>Host interface name → settings inside the container.</summary>
    [JsonPropertyName("netDevices")] public Dictionary<string, LinuxNetDevice>? NetDevices { get; set; }
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; set; }
    [JsonPropertyName("memoryPolicy")] public LinuxMemoryPolicy? MemoryPolicy { get; set; }
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    /// <summary>Clock name ("monotonic", "boottime") → offset for the time namespace.</summary>
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
}

public sealed class LinuxNamespace
{
    /// <summary>One of <see cref="NamespaceTypes.Names"/>.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    /// <summary>Namespace file to join (absolute); null creates a new namespace.</summary>
    [JsonPropertyName("path")] public string? Path { get; set; }
}

public sealed class LinuxDevice
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>c, b, u or p.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    /// <summary>Permission bits, decimal in JSON.</summary>
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}

public sealed class LinuxNetDevice
{
    [JsonPropertyName("name")] public string? Name { get; set; }
}

public sealed class LinuxTimeOffset
{
    [JsonPropertyName("secs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Secs { get; set; }
    [JsonPropertyName("nanosecs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public uint Nanosecs { get; set; }
}

public sealed class LinuxPersonality
{
    /// <summary>LINUX or LINUX32.</summary>
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

public sealed class LinuxIntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    /// <summary>Lines written as is to the resctrl schemata file (runtime-spec 1.3).</summary>
    [JsonPropertyName("schemata")] public List<string>? Schemata { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    [JsonPropertyName("enableMonitoring"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EnableMonitoring { get; set; }
}

public sealed class LinuxMemoryPolicy
{
    /// <summary>MPOL_* mode.</summary>
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";
    [JsonPropertyName("nodes")] public string? Nodes { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

public sealed class LinuxSeccomp
{
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
}

public sealed class LinuxSyscall
{
    [JsonPropertyName("names")] public List<string> Names { get; set; } = new();
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
}

public sealed class LinuxSeccompArg
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong ValueTwo { get; set; }
    /// <summary>SCMP_CMP_*.</summary>
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}
