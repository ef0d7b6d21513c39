namespace NRunc.Shim.Service;

/// <summary>
/// The cgroup v1 directories of a process, per controller, from /proc/PID/cgroup ("4:cpu,cpuacct:/default/c1" gives
/// cpu and cpuacct under /sys/fs/cgroup/cpu,cpuacct/default/c1). Null on a cgroup v2-only host.
/// </summary>
public sealed class CgroupPaths(Dictionary<string, string> dirs)
{
    public string? Dir(string controller) => dirs.TryGetValue(controller, out var d) ? d : null;

    public static CgroupPaths? Of(int pid, string root = "/sys/fs/cgroup")
    {
        string[] lines;
        try { lines = File.ReadAllLines($"/proc/{pid}/cgroup"); }
        catch (IOException) { return null; }
        return Parse(lines, root);
    }

    public static CgroupPaths? Parse(IEnumerable<string> lines, string root)
    {
        var dirs = new Dictionary<string, string>();
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3 || parts[1].Length == 0) continue;
            var mountName = parts[1].StartsWith("name=") ? parts[1][5..] : parts[1];
            foreach (var c in parts[1].Split(','))
                dirs[c] = root + "/" + mountName + parts[2].TrimEnd('/');
        }
        return dirs.Count == 0 ? null : new CgroupPaths(dirs);
    }
}
