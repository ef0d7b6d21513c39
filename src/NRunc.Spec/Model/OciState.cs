using System.Text.Json.Serialization;

namespace NRunc.Spec;

/// <summary>
/// The runtime-spec state (runtime.md) without runc's extras: what hooks read on stdin and what the
/// seccomp listener receives inside <see cref="ContainerProcessState"/>.
/// </summary>
public sealed class OciState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = Spec.CurrentVersion;
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>creating, created, running or stopped.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Pid { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>Sent with the seccomp notify fd to linux.seccomp.listenerPath (config-linux.md, "container process state").</summary>
public sealed class ContainerProcessState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = Spec.CurrentVersion;
    /// <summary>Names of the fds passed with SCM_RIGHTS, in order ("seccompFd").</summary>
    [JsonPropertyName("fds")] public List<string> Fds { get; set; } = new();
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>linux.seccomp.listenerMetadata.</summary>
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonPropertyName("state")] public OciState State { get; set; } = new();
}
