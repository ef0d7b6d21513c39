namespace NRunc.Cgroups.Common;

/// <summary>cgroup.procs of a cgroup and of all its sub-cgroups.</summary>
internal static class Procs
{
    public static List<int> ReadRecursive(string dir)
    {
        var pids = new List<int>();
        Collect(dir, pids);
        return pids;
    }

    static void Collect(string dir, List<int> pids)
    {
        var text = CgroupFs.TryRead(CgroupFs.Join(dir, "cgroup.procs"), out _);
        if (text is null) return;
        foreach (var l in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(l, out var pid)) pids.Add(pid);
        string[] subs;
        try { subs = Directory.GetDirectories(dir); }
        catch (IOException) { return; }
        foreach (var s in subs) Collect(s, pids);
    }
}
