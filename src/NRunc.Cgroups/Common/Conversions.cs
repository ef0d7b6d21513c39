namespace NRunc.Cgroups.Common;

/// <summary>Value conversions between OCI (v1-shaped) resources and cgroup v2 files, as runc does them.</summary>
public static class Conversions
{
    /// <summary>cpu.shares [2, 262144] → cpu.weight [1, 10000]; 0 stays 0 (unset).</summary>
    public static ulong CpuSharesToWeight(ulong shares) => shares == 0 ? 0 : 1 + ((shares - 2) * 9999) / 262142;

    /// <summary>blkio.weight [10, 1000] → io.weight [1, 10000]; 0 stays 0 (unset).</summary>
    public static ulong BlkioWeightToIoWeight(ulong weight) => weight == 0 ? 0 : 1 + ((weight - 10) * 9999) / 990;

    /// <summary>
    /// OCI memory.swap is memory+swap (the v1 memsw meaning); memory.swap.max in v2 is swap alone. Returns the
    /// value for memory.swap.max: -1 for "max", 0 for "leave unset", else swap − limit.
    /// </summary>
    public static long MemorySwapToV2(long swap, long memory)
    {
        // Memory unlimited and swap not given: both unlimited (v1 compatibility).
        if (memory == -1 && swap == 0) return -1;
        if (swap == -1 || swap == 0) return swap;
        if (memory == 0 || memory == -1)
            throw new CgroupException("linux.resources.memory.swap: unable to set swap limit without memory limit");
        if (memory < 0)
            throw new CgroupException($"linux.resources.memory.limit: invalid memory value: {memory}");
        if (swap < memory)
            throw new CgroupException("linux.resources.memory.swap: memory+swap limit should be >= memory limit");
        return swap - memory;
    }

    /// <summary>A limit as v2 writes it: 0 → null (do not write), negative → "max", else decimal.</summary>
    public static string? NumToStr(long v) => v == 0 ? null : v < 0 ? "max" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Str(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public static string Str(ulong v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
