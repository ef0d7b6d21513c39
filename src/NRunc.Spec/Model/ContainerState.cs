using System.Text.Json.Serialization;

namespace NRunc.Spec;

/// <summary>
/// The state of a container as `nrunc state` prints it: runtime-spec state (runtime.md) plus runc's
/// extras rootfs, created and owner, in runc's key order.
/// </summary>
public sealed class ContainerState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = Spec.CurrentVersion;
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>Init pid in the runtime's pid namespace; 0 once stopped.</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>creating, created, running, paused or stopped.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    /// <summary>Creation time, written as RFC 3339 with nanoseconds in UTC (Go's time.RFC3339Nano).</summary>
    [JsonPropertyName("created"), JsonConverter(typeof(Rfc3339NanoConverter))]
    public DateTime Created { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
}
