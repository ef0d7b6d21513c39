using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs;

/// <summary>
/// The cgroup v1 driver (runc's "fs"): one dir per mounted controller. Paths maps each controller name (and
/// "name=systemd") to its absolute dir; co-mounted controllers ("cpu,cpuacct") map to the same dir.
/// </summary>
public sealed class FsManager : ICgroupManager
{
    /// <summary>The v1 controllers nrunc joins, in the order runc sets them.</summary>
    public static readonly string[] Subsystems =
        ["cpuset", "devices", "memory", "cpu", "cpuacct", "pids", "blkio", "hugetlb", "net_cls", "net_prio",
         "perf_event", "freezer", "rdma", "name=systemd"];

    readonly Dictionary<string, string> _paths;
    readonly Dictionary<string, string> _mountpoints;
    readonly bool _rootless;
    readonly bool _skipUnwritable;
    readonly List<string> _created = new();

    /// <param name="rootless">device rule errors are ignored and dirs that do not exist are left alone.</param>
    /// <param name="requireWritable">rootless with an explicit linux.cgroupsPath: as in runc, a cgroup that cannot
    /// be created or joined is an error; otherwise rootless skips it (and drops it from Paths).</param>
    public FsManager(Dictionary<string, string> paths, Dictionary<string, string>? mountpoints = null, bool rootless = false, bool requireWritable = false)
    {
        _paths = paths;
        _mountpoints = mountpoints ?? new Dictionary<string, string>();
        _rootless = rootless;
        _skipUnwritable = rootless && !requireWritable;
    }

    public IReadOnlyDictionary<string, string> Paths => _paths;
    public bool IsUnified => false;
    public IReadOnlyList<LinuxDevice>? LinuxDevices { get; set; }

    /// <summary>The absolute dirs of every controller of cgroupsPath, from this host's mounts (pure).</summary>
    public static Dictionary<string, string> ResolvePaths(string inner, IReadOnlyDictionary<string, CgroupMount> mounts,
        Func<IReadOnlyDictionary<string, string>> ownCgroups)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string>? own = null;
        foreach (var sys in Subsystems)
        {
            if (!mounts.TryGetValue(sys, out var m)) continue;
            if (inner.StartsWith('/'))
            {
                paths[sys] = CgroupPath.Join(m.Mountpoint, inner);
                continue;
            }
            own ??= ownCgroups();
            // Relative: under the cgroup this process is in, in that hierarchy (seen through the mount's root).
            var mine = own.TryGetValue(sys, out var p) ? p : "/";
            paths[sys] = CgroupPath.Join(m.Mountpoint, CgroupPath.RelativeTo(m.Root, mine), inner);
        }
        return paths;
    }

    public void Create()
    {
        List<string>? skipped = null;
        try
        {
            foreach (var (sys, dir) in _paths)
            {
                if (IsDuplicate(sys, dir)) continue;
                try { CgroupFs.MkdirAll(dir, _created); }
                catch (CgroupException e) when (_skipUnwritable && IsPermission(e))
                {
                    CgroupLog.Debug($"rootless: skipping {sys} cgroup: {e.Message}");
                    (skipped ??= []).Add(dir);
                    continue;
                }
                if (sys == "cpuset") FsCpuset.InheritParent(MountpointOf(sys, dir), dir);
            }
            if (skipped is not null) Drop(skipped);
        }
        catch
        {
            RemoveCreated();
            throw;
        }
    }

    string MountpointOf(string sys, string dir)
    {
        if (_mountpoints.TryGetValue(sys, out var m)) return m;
        // FromPaths: the hierarchy root is /sys/fs/cgroup/<name>.
        var rest = dir.StartsWith(CgroupHost.Root + "/", StringComparison.Ordinal) ? dir[(CgroupHost.Root.Length + 1)..] : dir;
        int slash = rest.IndexOf('/');
        return slash < 0 ? dir : CgroupHost.Root + "/" + rest[..slash];
    }

    /// <summary>Co-mounted controllers share a dir: act on it once.</summary>
    bool IsDuplicate(string sys, string dir)
    {
        foreach (var s in Subsystems)
        {
            if (s == sys) return false;
            if (_paths.TryGetValue(s, out var d) && d == dir) return true;
        }
        return false;
    }

    public void Apply(int pid)
    {
        var p = Conversions.Str(pid);
        List<string>? skipped = null;
        foreach (var (sys, dir) in _paths)
        {
            if (IsDuplicate(sys, dir)) continue;
            if (_rootless && !CgroupFs.Exists(dir)) continue;
            try { WriteProcs(dir, p); }
            catch (CgroupException e) when (_skipUnwritable && IsPermission(e))
            {
                // A dir that exists but is not ours (not delegated): runc skips it too.
                CgroupLog.Debug($"rootless: cannot join {sys} cgroup: {e.Message}");
                (skipped ??= []).Add(dir);
            }
        }
        if (skipped is not null) Drop(skipped);
    }

    /// <summary>
    /// Each hierarchy's "tasks" file. Writing a pid to cgroup.procs (Apply) takes the kernel's global threadgroup
    /// lock, whose first use after a quiet moment waits for an RCU grace period (6-16 ms measured here, see
    /// bench/README.md); a thread that writes "0" to "tasks" moves only itself and skips that lock. Rootless keeps
    /// Apply, which skips the cgroups it cannot join.
    /// </summary>
    public IReadOnlyList<string> SelfJoinFiles()
    {
        if (_rootless) return [];
        var files = new List<string>();
        foreach (var (sys, dir) in _paths)
            if (!IsDuplicate(sys, dir)) files.Add(CgroupFs.Join(dir, "tasks"));
        return files;
    }

    static bool IsPermission(CgroupException e) => e.Errno is NRunc.Native.Errno.EACCES or NRunc.Native.Errno.EPERM or NRunc.Native.Errno.EROFS;

    /// <summary>Forgets cgroups rootless could not use (co-mounted controllers share the dir), so state has only real ones.</summary>
    void Drop(List<string> dirs)
    {
        foreach (var key in _paths.Where(kv => dirs.Contains(kv.Value)).Select(kv => kv.Key).ToList()) _paths.Remove(key);
    }

    internal static void WriteProcs(string dir, string pid)
    {
        // A just-forked task can be refused for a moment (EINVAL); runc retries a few times too.
        for (int i = 0; ; i++)
        {
            int err = CgroupFs.TryWrite(CgroupFs.Join(dir, "cgroup.procs"), pid);
            if (err == 0) return;
            if (err != NRunc.Native.Errno.EINVAL || i >= 5) CgroupFs.Write(dir, "cgroup.procs", pid);
            Thread.Sleep(30);
        }
    }

    string PathFor(string sys, string what)
    {
        if (_paths.TryGetValue(sys, out var d) && (!_rootless || CgroupFs.Exists(d))) return d;
        // runc's wording when a limit is set for a controller the container has no cgroup in.
        throw new CgroupException($"cannot set {what} limit: container could not join or create cgroup" + (_rootless
            ? $" (rootless: no writable {sys} cgroup; delegate one to this user and name it in linux.cgroupsPath)"
            : $" (the {sys} controller is not mounted)"));
    }

    public void Set(LinuxResources? r)
    {
        // null still writes the device rules when LinuxDevices is set (create without linux.resources).
        r ??= new LinuxResources();
        if (r.Unified is { Count: > 0 })
            throw new CgroupException("linux.resources.unified: cgroup v2 parameters cannot be set on this cgroup v1 host");

        if (FsCpuset.IsSet(r.Cpu)) FsCpuset.Set(PathFor("cpuset", "cpuset"), r.Cpu!);
        if (r.Devices is not null || LinuxDevices is not null)
        {
            var rules = DeviceRules.Build(r.Devices, LinuxDevices);
            if (_paths.TryGetValue("devices", out var dd))
            {
                try { FsDevices.Set(dd, rules); }
                // Rootless containers cannot write device rules; runc ignores this too.
                catch (CgroupException) when (_rootless) { }
            }
            else if (!_rootless) throw new CgroupException("cannot set devices limit: container could not join or create cgroup (the devices controller is not mounted)");
        }
        if (FsMemory.IsSet(r.Memory)) FsMemory.Set(PathFor("memory", "memory"), r.Memory!);
        if (FsCpu.IsSet(r.Cpu)) FsCpu.Set(PathFor("cpu", "cpu"), r.Cpu!);
        if (r.Pids is not null) FsPids.Set(PathFor("pids", "pids"), r.Pids);
        if (FsBlkio.IsSet(r.BlockIO)) FsBlkio.Set(PathFor("blkio", "blkio"), r.BlockIO!);
        if (r.HugepageLimits is { Count: > 0 }) FsHugetlb.Set(PathFor("hugetlb", "hugetlb"), r.HugepageLimits);
        if (r.Network?.ClassId is { } cls and not 0) FsNetCls.Set(PathFor("net_cls", "net_cls"), cls);
        if (r.Network?.Priorities is { Count: > 0 } prios) FsNetPrio.Set(PathFor("net_prio", "net_prio"), prios);
        if (r.Rdma is { Count: > 0 }) Rdma.Set(PathFor("rdma", "rdma"), r.Rdma);
    }

    string FreezerPath => _paths.TryGetValue("freezer", out var d) ? d
        : throw new CgroupException("cannot pause or resume: the container has no freezer cgroup (the controller is not mounted, or a rootless container without a delegated cgroup)");

    public void Freeze() => FsFreezer.Freeze(FreezerPath);
    public void Thaw() => FsFreezer.Thaw(FreezerPath);
    public bool IsFrozen() => _paths.TryGetValue("freezer", out var d) && FsFreezer.IsFrozen(d);

    public IReadOnlyList<int> GetPids()
    {
        foreach (var sys in (ReadOnlySpan<string>)["devices", "freezer", "pids", "memory", "cpu", "name=systemd"])
            if (_paths.TryGetValue(sys, out var d) && CgroupFs.Exists(d)) return Procs.ReadRecursive(d);
        foreach (var d in _paths.Values)
            if (CgroupFs.Exists(d)) return Procs.ReadRecursive(d);
        return [];
    }

    public long OomKillCount() => OomCounter.Read(_paths.GetValueOrDefault("memory"), "memory.oom_control");

    public CgroupStats GetStats()
    {
        var s = new CgroupStats();
        if (_paths.TryGetValue("cpu", out var cpu)) FsCpu.Stat(cpu, s);
        if (_paths.TryGetValue("cpuacct", out var acct)) FsCpuacct.Stat(acct, s);
        if (_paths.TryGetValue("cpuset", out var cs)) FsCpuset.Stat(cs, s);
        if (_paths.TryGetValue("memory", out var mem)) FsMemory.Stat(mem, s);
        if (_paths.TryGetValue("pids", out var pids)) FsPids.Stat(pids, s);
        if (_paths.TryGetValue("blkio", out var blkio)) FsBlkio.Stat(blkio, s);
        if (_paths.TryGetValue("hugetlb", out var huge)) FsHugetlb.Stat(huge, s);
        if (_paths.TryGetValue("rdma", out var rdma)) Rdma.Stat(rdma, s);
        return s;
    }

    public void Destroy()
    {
        List<Exception>? errors = null;
        foreach (var (sys, dir) in _paths)
        {
            if (IsDuplicate(sys, dir)) continue;
            try { CgroupFs.RemoveTree(dir); }
            catch (CgroupException e) { (errors ??= new()).Add(e); }
        }
        RemoveCreated();
        if (errors is not null) throw new CgroupException(string.Join("; ", errors.Select(e => e.Message)), (errors[0] as CgroupException)?.Errno ?? 0);
    }

    /// <summary>Removes the parent dirs Create made (innermost first) while they are empty; busy ones stay.</summary>
    void RemoveCreated()
    {
        for (int i = _created.Count - 1; i >= 0; i--) CgroupFs.Rmdir(_created[i]);
        _created.Clear();
    }

    public bool Exists()
    {
        foreach (var d in _paths.Values) if (CgroupFs.Exists(d)) return true;
        return false;
    }
}
