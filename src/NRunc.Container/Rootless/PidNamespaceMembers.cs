using System.Globalization;

namespace NRunc.Container.Rootless;

/// <summary>
/// A container without a cgroup (rootless, none delegated) has no list of its processes; its pid namespace is the
/// next best thing: every process whose /proc/PID/ns/pid is init's. Used by ps and kill --all.
/// </summary>
public static class PidNamespaceMembers
{
    /// <summary>Init and every process in its pid namespace; just init when it shares ours (or it is unreadable).</summary>
    public static IReadOnlyList<int> Of(int initPid)
    {
        var ns = NamespaceOf(initPid.ToString(CultureInfo.InvariantCulture));
        if (ns is null || ns == NamespaceOf("self")) return [initPid];
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (NamespaceOf(name) == ns) pids.Add(pid);
        }
        if (!pids.Contains(initPid)) pids.Add(initPid);
        pids.Sort();
        return pids;
    }

    /// <summary>"pid:[inode]", or null when the process is gone or not ours to inspect.</summary>
    static string? NamespaceOf(string pid)
    {
        try { return new FileInfo("/proc/" + pid + "/ns/pid").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
