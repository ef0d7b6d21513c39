namespace NRunc.Container.State;

/// <summary>
/// What nrunc remembers about one container, stored as ROOT/ID/state.json. Internal to nrunc (not the OCI
/// state.json, see <see cref="StatusProbe"/> and the state verb for that), so fields can be added freely.
/// </summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    /// <summary>Host pid of the container's init; 0 while the container is being created.</summary>
    public int InitPid { get; set; }
    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot): guards against pid reuse.</summary>
    public ulong InitStartTime { get; set; }
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public string Owner { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>cgroup v1 controller → directory; the key "" holds the cgroup v2 (unified) directory.</summary>
    public Dictionary<string, string> CgroupPaths { get; set; } = new();
    public bool SystemdCgroup { get; set; }
    public bool Rootless { get; set; }
    /// <summary>The config.json copy kept for this container (update rewrites its resources), if any.</summary>
    public string? ConfigPath { get; set; }
    /// <summary>Free-form values for the lifecycle code (namespace paths, hooks state, ...).</summary>
    public Dictionary<string, string>? Extra { get; set; }
}

/// <summary>Container status as runc names it (lowercase in JSON).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ContainerStatus>))]
public enum ContainerStatus
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("creating")] Creating,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("created")] Created,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("running")] Running,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("paused")] Paused,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("stopped")] Stopped,
}

public static class ContainerStatusNames
{
    /// <summary>The lowercase name used in state.json and list.</summary>
    public static string Name(this ContainerStatus s) => s switch
    {
        ContainerStatus.Creating => "creating",
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        _ => "stopped",
    };
}

public static class ContainerRecordExtensions
{
    /// <summary>The state as `nrunc state` prints it (pid 0 once stopped, like runc).</summary>
    public static NRunc.Spec.ContainerState ToOciState(this ContainerRecord r, ContainerStatus status) => new()
    {
        OciVersion = "1.3.0",
        Id = r.Id,
        Pid = status == ContainerStatus.Stopped ? 0 : r.InitPid,
        Status = status.Name(),
        Bundle = r.Bundle,
        Rootfs = r.Rootfs,
        Created = r.Created.UtcDateTime,
        Owner = r.Owner,
        Annotations = r.Annotations is { Count: > 0 } a ? a : null,
    };
}
