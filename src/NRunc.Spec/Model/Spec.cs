using System.Text.Json.Serialization;

namespace NRunc.Spec;

// config.json (runtime-spec config.md). Property order follows the Go structs of
// opencontainers/runtime-spec so that serialisation matches runc's key order.
// Optional fields are nullable and omitted when null; Go `omitempty` scalars use WhenWritingDefault.

/// <summary>Root of config.json.</summary>
public sealed class Spec
{
    /// <summary>The runtime-spec version nrunc implements (written by `nrunc spec`, reported by `--version`).</summary>
    public const string CurrentVersion = "1.3.0";

    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("process")] public Process? Process { get; set; }
    [JsonPropertyName("root")] public Root? Root { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("domainname")] public string? Domainname { get; set; }
    [JsonPropertyName("mounts")] public List<Mount>? Mounts { get; set; }
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("linux")] public Linux? Linux { get; set; }
}

public sealed class Process
{
    [JsonPropertyName("terminal"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Terminal { get; set; }
    [JsonPropertyName("consoleSize")] public Box? ConsoleSize { get; set; }
    [JsonPropertyName("user")] public User User { get; set; } = new();
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    [JsonPropertyName("cwd")] public string Cwd { get; set; } = "";
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; set; }
    [JsonPropertyName("rlimits")] public List<PosixRlimit>? Rlimits { get; set; }
    [JsonPropertyName("noNewPrivileges"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool NoNewPrivileges { get; set; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; set; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; set; }
    [JsonPropertyName("scheduler")] public Scheduler? Scheduler { get; set; }
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; set; }
    [JsonPropertyName("ioPriority")] public LinuxIOPriority? IOPriority { get; set; }
    [JsonPropertyName("execCPUAffinity")] public CpuAffinity? ExecCpuAffinity { get; set; }
}

/// <summary>Console size (process.consoleSize).</summary>
public sealed class Box
{
    [JsonPropertyName("height")] public uint Height { get; set; }
    [JsonPropertyName("width")] public uint Width { get; set; }
}

public sealed class User
{
    [JsonPropertyName("uid")] public uint Uid { get; set; }
    [JsonPropertyName("gid")] public uint Gid { get; set; }
    [JsonPropertyName("umask")] public uint? Umask { get; set; }
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; set; }
}

/// <summary>process.capabilities: capability names (CAP_*) per set.</summary>
public sealed class LinuxCapabilities
{
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; set; }
    [JsonPropertyName("effective")] public List<string>? Effective { get; set; }
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; set; }
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; set; }
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; set; }
}

/// <summary>process.rlimits[]. Hard and soft are uint64 (RLIM_INFINITY = ulong.MaxValue).</summary>
public sealed class PosixRlimit
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("hard")] public ulong Hard { get; set; }
    [JsonPropertyName("soft")] public ulong Soft { get; set; }
}

/// <summary>process.scheduler (sched_setattr(2)).</summary>
public sealed class Scheduler
{
    [JsonPropertyName("policy")] public string Policy { get; set; } = "";
    [JsonPropertyName("nice"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Nice { get; set; }
    [JsonPropertyName("priority"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Priority { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("runtime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Runtime { get; set; }
    [JsonPropertyName("deadline"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Deadline { get; set; }
    [JsonPropertyName("period"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Period { get; set; }
}

/// <summary>process.ioPriority (ioprio_set(2)).</summary>
public sealed class LinuxIOPriority
{
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("priority")] public int Priority { get; set; }
}

/// <summary>process.execCPUAffinity: CPU lists such as "0-3,7".</summary>
public sealed class CpuAffinity
{
    [JsonPropertyName("initial")] public string? Initial { get; set; }
    [JsonPropertyName("final")] public string? Final { get; set; }
}

public sealed class Root
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("readonly"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Readonly { get; set; }
}

public sealed class Mount
{
    [JsonPropertyName("destination")] public string Destination { get; set; } = "";
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
    /// <summary>Id-mapped mount: uid mappings (requires the mount to be idmapped).</summary>
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
}

public sealed class Hook
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    /// <summary>Seconds; must be greater than zero when set.</summary>
    [JsonPropertyName("timeout")] public int? Timeout { get; set; }
}

public sealed class Hooks
{
    /// <summary>Deprecated by the spec, still honoured by runc.</summary>
    [JsonPropertyName("prestart")] public List<Hook>? Prestart { get; set; }
    [JsonPropertyName("createRuntime")] public List<Hook>? CreateRuntime { get; set; }
    [JsonPropertyName("createContainer")] public List<Hook>? CreateContainer { get; set; }
    [JsonPropertyName("startContainer")] public List<Hook>? StartContainer { get; set; }
    [JsonPropertyName("poststart")] public List<Hook>? Poststart { get; set; }
    [JsonPropertyName("poststop")] public List<Hook>? Poststop { get; set; }
}

public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint ContainerId { get; set; }
    [JsonPropertyName("hostID")] public uint HostId { get; set; }
    [JsonPropertyName("size")] public uint Size { get; set; }
}
