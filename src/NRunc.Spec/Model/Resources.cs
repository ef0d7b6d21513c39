using System.Text.Json.Serialization;

namespace NRunc.Spec;

// linux.resources (cgroups). Also the body of `nrunc update --resources`.
// int64 fields accept -1 ("unlimited"), as engines send for memory limit and swap.

public sealed class LinuxResources
{
    [JsonPropertyName("devices")] public List<LinuxDeviceCgroup>? Devices { get; set; }
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; set; }
    [JsonPropertyName("cpu")] public LinuxCpu? Cpu { get; set; }
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; set; }
    [JsonPropertyName("blockIO")] public LinuxBlockIO? BlockIO { get; set; }
    [JsonPropertyName("hugepageLimits")] public List<LinuxHugepageLimit>? HugepageLimits { get; set; }
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; set; }
    /// <summary>Device name → limits.</summary>
    [JsonPropertyName("rdma")] public Dictionary<string, LinuxRdma>? Rdma { get; set; }
    /// <summary>cgroup v2 file name → value.</summary>
    [JsonPropertyName("unified")] public Dictionary<string, string>? Unified { get; set; }
}

public sealed class LinuxDeviceCgroup
{
    [JsonPropertyName("allow")] public bool Allow { get; set; }
    /// <summary>a, c or b (null or empty means all).</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Subset of "rwm".</summary>
    [JsonPropertyName("access")] public string? Access { get; set; }
}

public sealed class LinuxMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    [JsonPropertyName("reservation")] public long? Reservation { get; set; }
    /// <summary>Memory + swap limit.</summary>
    [JsonPropertyName("swap")] public long? Swap { get; set; }
    /// <summary>Deprecated (cgroup v1 kmem).</summary>
    [JsonPropertyName("kernel")] public long? Kernel { get; set; }
    [JsonPropertyName("kernelTCP")] public long? KernelTcp { get; set; }
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; set; }
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOomKiller { get; set; }
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; set; }
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; set; }
}

public sealed class LinuxCpu
{
    [JsonPropertyName("shares")] public ulong? Shares { get; set; }
    [JsonPropertyName("quota")] public long? Quota { get; set; }
    [JsonPropertyName("burst")] public ulong? Burst { get; set; }
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    [JsonPropertyName("realtimeRuntime")] public long? RealtimeRuntime { get; set; }
    [JsonPropertyName("realtimePeriod")] public ulong? RealtimePeriod { get; set; }
    [JsonPropertyName("cpus")] public string? Cpus { get; set; }
    [JsonPropertyName("mems")] public string? Mems { get; set; }
    [JsonPropertyName("idle")] public long? Idle { get; set; }
}

public sealed class LinuxPids
{
    /// <summary>0 or -1 means no limit.</summary>
    [JsonPropertyName("limit")] public long Limit { get; set; }
}

public sealed class LinuxBlockIO
{
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
    [JsonPropertyName("weightDevice")] public List<LinuxWeightDevice>? WeightDevice { get; set; }
    [JsonPropertyName("throttleReadBpsDevice")] public List<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }
    [JsonPropertyName("throttleWriteBpsDevice")] public List<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }
    [JsonPropertyName("throttleReadIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleReadIopsDevice { get; set; }
    [JsonPropertyName("throttleWriteIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleWriteIopsDevice { get; set; }
}

public sealed class LinuxWeightDevice
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
}

public sealed class LinuxThrottleDevice
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("rate")] public ulong Rate { get; set; }
}

public sealed class LinuxHugepageLimit
{
    /// <summary>Such as "2MB" or "1GB".</summary>
    [JsonPropertyName("pageSize")] public string PageSize { get; set; } = "";
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
}

public sealed class LinuxNetwork
{
    [JsonPropertyName("classID")] public uint? ClassId { get; set; }
    [JsonPropertyName("priorities")] public List<LinuxInterfacePriority>? Priorities { get; set; }
}

public sealed class LinuxInterfacePriority
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("priority")] public uint Priority { get; set; }
}

public sealed class LinuxRdma
{
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; set; }
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; set; }
}
