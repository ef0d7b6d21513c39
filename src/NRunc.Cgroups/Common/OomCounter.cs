using NRunc.Cgroups.Stats;

namespace NRunc.Cgroups.Common;

/// <summary>
/// How many processes the kernel's OOM killer has killed in a memory cgroup: the <c>oom_kill</c> line of
/// v1 <c>memory.oom_control</c> or v2 <c>memory.events</c>. <c>events</c> polls it and reports a rise as
/// runc's <c>{"type":"oom"}</c> event (polling needs no eventfd registration that outlives the reader).
/// </summary>
public static class OomCounter
{
    /// <summary>The counter, or -1 when the file or its <c>oom_kill</c> line is missing (no memory controller, cgroup gone).</summary>
    public static long Read(string? dir, string file)
    {
        if (dir is null) return -1;
        var text = CgroupFs.TryRead(dir, file);
        if (text is null) return -1;
        return StatParsers.FlatKeyed(text).TryGetValue("oom_kill", out var n) ? (long)n : -1;
    }
}
