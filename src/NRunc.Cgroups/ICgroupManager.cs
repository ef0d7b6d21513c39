using NRunc.Spec;

namespace NRunc.Cgroups;

/// <summary>One container's cgroup(s), for one driver (cgroup v1 fs, v2 fs, systemd).</summary>
public interface ICgroupManager
{
    /// <summary>v1: controller name → absolute dir; v2: "" → absolute dir. Persisted in the container's state.</summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>True for the cgroup v2 (unified) layout.</summary>
    bool IsUnified { get; }

    /// <summary>
    /// linux.devices of the config. Set at create (an empty list when there are none): Set then writes the full device
    /// rule list (deny all, linux.resources.devices, runc's default devices, these devices). Leave null for update:
    /// rules are then only written when the resources carry a devices list.
    /// </summary>
    IReadOnlyList<LinuxDevice>? LinuxDevices { get; set; }

    /// <summary>mkdir -p every needed dir; the dirs this call created are remembered and removed again by Destroy.</summary>
    void Create();

    /// <summary>Moves <paramref name="pid"/> into the cgroup(s) (cgroup.procs).</summary>
    void Apply(int pid);

    /// <summary>
    /// Files in which a single-threaded process joins the cgroup(s) itself by writing "0", instead of
    /// <see cref="Apply"/>; empty when the driver has none (then the caller uses Apply). See FsManager.
    /// </summary>
    IReadOnlyList<string> SelfJoinFiles();

    /// <summary>
    /// Writes every limit that <paramref name="resources"/> sets; null or unset fields are left alone, except the
    /// device rules, which are written whenever <see cref="LinuxDevices"/> is set (so call Set at create even when
    /// the config has no linux.resources).
    /// </summary>
    void Set(LinuxResources? resources);

    void Freeze();
    void Thaw();
    bool IsFrozen();

    /// <summary>All pids in the container's cgroup, sub-cgroups included.</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>runc's <c>events --stats</c> data (see <see cref="CgroupStatsJsonContext"/>).</summary>
    CgroupStats GetStats();

    /// <summary>Processes killed by the OOM killer in the memory cgroup so far; -1 when there is no memory cgroup.</summary>
    long OomKillCount();

    /// <summary>Kills nothing; removes every dir (sub-cgroups first, retrying briefly on EBUSY). Fine if already gone.</summary>
    void Destroy();

    bool Exists();
}
