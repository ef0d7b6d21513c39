using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>The cgroup v2 (unified) driver (runc's "fs2"): one dir; Paths is { "" → dir }.</summary>
public sealed class Fs2Manager : ICgroupManager
{
    readonly string _dir;
    readonly bool _rootless;
    readonly bool _skipUnwritable;
    readonly List<string> _created = new();
    HashSet<string>? _controllers;

    /// <param name="requireWritable">see <see cref="Fs.FsManager"/>: rootless with an explicit cgroupsPath.</param>
    public Fs2Manager(string dir, bool rootless = false, bool requireWritable = false)
    {
        _dir = dir;
        _rootless = rootless;
        _skipUnwritable = rootless && !requireWritable;
        Paths = new Dictionary<string, string> { [""] = dir };
    }

    /// <summary>Empty once rootless skipped a cgroup it could not create or join.</summary>
    public IReadOnlyDictionary<string, string> Paths { get; private set; }
    public bool IsUnified => true;
    public IReadOnlyList<LinuxDevice>? LinuxDevices { get; set; }
    public string Dir => _dir;

    /// <summary>
    /// The container's dir: an absolute cgroupsPath is under the root; a relative one is under the parent of this
    /// process's own cgroup (our own cgroup has tasks, so controllers could not be enabled below it), as runc does.
    /// </summary>
    public static string ResolvePath(string inner, Func<string> ownCgroup)
    {
        if (inner.StartsWith('/')) return CgroupPath.Join(CgroupHost.Root, inner);
        var own = CgroupPath.Clean(ownCgroup());
        int slash = own.LastIndexOf('/');
        var parent = slash <= 0 ? "/" : own[..slash];
        return CgroupPath.Join(CgroupHost.Root, parent, inner);
    }

    /// <summary>
    /// mkdir each level below /sys/fs/cgroup and enable every controller the root offers in each parent's
    /// cgroup.subtree_control (all at once, else one by one; what cannot be enabled shows up as an error in Set).
    /// </summary>
    public void Create()
    {
        if (!_dir.StartsWith(CgroupHost.Root + "/", StringComparison.Ordinal))
            throw new CgroupException($"cgroup path {_dir} is not under {CgroupHost.Root}");
        try
        {
            var avail = (CgroupFs.TryRead(CgroupHost.Root, "cgroup.controllers") ?? "")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var all = string.Join(' ', avail.Select(c => "+" + c));
            var parts = _dir[(CgroupHost.Root.Length + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
            var current = CgroupHost.Root;
            for (int i = 0; i < parts.Length; i++)
            {
                // Enable controllers in the parent before creating the child.
                if (all.Length != 0) EnableControllers(current, all, avail);
                current = current + "/" + parts[i];
                try { if (CgroupFs.Mkdir(current)) _created.Add(current); }
                catch (CgroupException e) when (_skipUnwritable && e.Errno is NRunc.Native.Errno.EACCES or NRunc.Native.Errno.EPERM or NRunc.Native.Errno.EROFS)
                {
                    CgroupLog.Debug($"rootless: cannot create {current}: {e.Message}");
                    Paths = new Dictionary<string, string>();
                    return;
                }
            }
        }
        catch
        {
            RemoveCreated();
            throw;
        }
    }

    static void EnableControllers(string dir, string all, string[] each)
    {
        if (CgroupFs.TryWrite(CgroupFs.Join(dir, "cgroup.subtree_control"), all) == 0) return;
        foreach (var c in each) CgroupFs.TryWrite(CgroupFs.Join(dir, "cgroup.subtree_control"), "+" + c);
    }

    /// <summary>None: v2 moves whole processes only (a thread alone only within a threaded subtree).</summary>
    public IReadOnlyList<string> SelfJoinFiles() => [];

    public void Apply(int pid)
    {
        if (_rootless && (Paths.Count == 0 || !CgroupFs.Exists(_dir))) { Paths = new Dictionary<string, string>(); return; }
        try { Fs.FsManager.WriteProcs(_dir, Conversions.Str(pid)); }
        catch (CgroupException e) when (_skipUnwritable && e.Errno is NRunc.Native.Errno.EACCES or NRunc.Native.Errno.EPERM or NRunc.Native.Errno.EROFS)
        {
            CgroupLog.Debug($"rootless: cannot join {_dir}: {e.Message}");
            Paths = new Dictionary<string, string>();
        }
    }

    HashSet<string> Controllers() => _controllers ??= new HashSet<string>(
        (CgroupFs.TryRead(_dir, "cgroup.controllers") ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    void Require(string controller, string what)
    {
        if (!Controllers().Contains(controller))
            throw new CgroupException($"cannot set {what}: the {controller} controller is not available in {_dir} (cgroup.controllers)");
    }

    public void Set(LinuxResources? r)
    {
        // null still writes the device rules when LinuxDevices is set (create without linux.resources).
        r ??= new LinuxResources();
        if (Paths.Count == 0)
        {
            if (HasLimits(r)) throw new CgroupException("cannot set limits: container could not join or create cgroup (rootless: no writable cgroup; delegate one to this user and name it in linux.cgroupsPath)");
            return;
        }
        if (r.Pids is not null) { Require("pids", "pids limit"); Fs2Pids.Set(_dir, r.Pids); }
        if (Fs2Memory.IsSet(r.Memory)) { Require("memory", "memory limit"); Fs2Memory.Set(_dir, r.Memory!); }
        else if (r.Memory is not null) Fs2Memory.Set(_dir, r.Memory); // only logs ignored fields
        if (FsBlkioIsSet(r.BlockIO)) { Require("io", "blockIO limit"); Fs2Io.Set(_dir, r.BlockIO!); }
        if (Fs2Cpu.IsSet(r.Cpu)) { Require("cpu", "cpu limit"); Fs2Cpu.Set(_dir, r.Cpu!); }
        if (Fs2Cpuset.IsSet(r.Cpu)) { Require("cpuset", "cpuset"); Fs2Cpuset.Set(_dir, r.Cpu!); }
        if (r.Devices is not null || LinuxDevices is not null)
        {
            try { Fs2Devices.Set(_dir, DeviceRules.Build(r.Devices, LinuxDevices)); }
            // Rootless containers cannot load device filters; runc ignores this too.
            catch (CgroupException e) when (_rootless) { CgroupLog.Debug($"rootless: device filter not attached: {e.Message}"); }
        }
        if (r.HugepageLimits is { Count: > 0 }) { Require("hugetlb", "hugepage limit"); Fs2Hugetlb.Set(_dir, r.HugepageLimits); }
        if (r.Rdma is { Count: > 0 }) { Require("rdma", "rdma limit"); Rdma(r.Rdma); }
        // v2 has no net_cls/net_prio; runc ignores these fields there too (tag traffic with eBPF instead).
        if (r.Network is { } net && (net.ClassId is not null and not 0 || net.Priorities is { Count: > 0 }))
            CgroupLog.Debug("linux.resources.network is ignored on cgroup v2 (no net_cls/net_prio controllers)");
        if (r.Unified is { Count: > 0 }) Fs2Unified.Set(_dir, r.Unified, Controllers);
    }

    static bool HasLimits(LinuxResources r) => r.Pids is not null || Fs2Memory.IsSet(r.Memory) || FsBlkioIsSet(r.BlockIO)
        || Fs2Cpu.IsSet(r.Cpu) || Fs2Cpuset.IsSet(r.Cpu) || r.HugepageLimits is { Count: > 0 } || r.Rdma is { Count: > 0 } || r.Unified is { Count: > 0 };

    void Rdma(Dictionary<string, LinuxRdma> rdma) => Common.Rdma.Set(_dir, rdma);

    static bool FsBlkioIsSet(LinuxBlockIO? b) => b is not null && (b.Weight is not null and not 0 || b.WeightDevice is { Count: > 0 }
        || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
        || b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 });

    public void Freeze() => Fs2Freezer.Set(_dir, true);
    public void Thaw() => Fs2Freezer.Set(_dir, false);
    public bool IsFrozen() => Fs2Freezer.IsFrozen(_dir);

    public IReadOnlyList<int> GetPids() => Procs.ReadRecursive(_dir);

    public long OomKillCount() => OomCounter.Read(_dir, "memory.events");

    public CgroupStats GetStats()
    {
        var s = new CgroupStats();
        Fs2Cpu.Stat(_dir, s);
        Fs2Memory.Stat(_dir, s);
        Fs2Pids.Stat(_dir, s);
        Fs2Io.Stat(_dir, s);
        Fs2Hugetlb.Stat(_dir, s);
        Common.Rdma.Stat(_dir, s);
        return s;
    }

    public void Destroy()
    {
        CgroupFs.RemoveTree(_dir);
        RemoveCreated();
    }

    void RemoveCreated()
    {
        for (int i = _created.Count - 1; i >= 0; i--) CgroupFs.Rmdir(_created[i]);
        _created.Clear();
    }

    public bool Exists() => CgroupFs.Exists(_dir);
}
