using NRunc.Spec;

namespace NRunc.Cgroups.Systemd;

/// <summary>
/// The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a transient scope unit that systemd creates
/// with the container's first pid (StartTransientUnit with PIDs, Delegate, the resource properties systemd knows),
/// then the fs driver (v1 or v2) over the scope's dirs writes every limit, freezes, reads stats; delete stops the unit.
/// A manager from stored paths (exec, update, delete) talks to systemd only to update properties or stop the unit.
/// </summary>
public sealed class SystemdManager : ICgroupManager
{
    readonly ICgroupManager _fs;
    readonly string _id;
    readonly SystemdUnitPath? _path; // set for a new container: Apply starts the unit
    readonly string _unit;
    bool _started;
    SystemdBus? _bus; // one connection for the manager's life (create: start, then set); closed at exit

    SystemdBus Bus => _bus ??= SystemdBus.Connect();

    SystemdManager(ICgroupManager fs, string id, SystemdUnitPath? path, string unit)
    {
        _fs = fs; _id = id; _path = path; _unit = unit;
    }

    /// <summary>A new container: nothing is made until <see cref="Apply"/> starts the unit.</summary>
    public static SystemdManager ForNew(string id, SystemdUnitPath path, ICgroupManager fs)
    {
        if (!SystemdBus.IsRunning()) throw new CgroupException("systemd not running on this host, cannot use systemd cgroups manager");
        return new SystemdManager(fs, id, path, path.Unit);
    }

    /// <summary>An existing container: the unit is the last element of its cgroup dir.</summary>
    public static SystemdManager FromExisting(ICgroupManager fs)
    {
        var dir = fs.Paths.TryGetValue("", out var d) ? d : fs.Paths.GetValueOrDefault("name=systemd") ?? fs.Paths.Values.First();
        return new SystemdManager(fs, "", null, dir[(dir.LastIndexOf('/') + 1)..]) { _started = true };
    }

    public string Unit => _unit;
    public IReadOnlyDictionary<string, string> Paths => _fs.Paths;
    public bool IsUnified => _fs.IsUnified;
    public IReadOnlyList<LinuxDevice>? LinuxDevices { get => _fs.LinuxDevices; set => _fs.LinuxDevices = value; }

    /// <summary>systemd makes the dirs when the unit starts (Apply).</summary>
    public void Create() { }

    /// <summary>None: systemd places the pid when it starts the unit (Apply).</summary>
    public IReadOnlyList<string> SelfJoinFiles() => [];

    public void Apply(int pid)
    {
        if (_started) { _fs.Apply(pid); return; }
        Bus.StartTransientUnit(_unit, UnitProperties.ForNewScope(_id, _path!, pid, _fs.IsUnified, null));
        _started = true;
        // v1: systemd joins only the hierarchies it manages; the fs driver puts the pid in every other one.
        if (!_fs.IsUnified) { _fs.Create(); _fs.Apply(pid); }
    }

    public void Set(LinuxResources? resources)
    {
        if (!_started) throw new CgroupException($"systemd: unit {_unit} has not been started");
        // systemd first, so that its own view of the unit agrees; then the files, for what it has no property for
        var properties = UnitProperties.ForResources(resources, _fs.IsUnified);
        // the device policy only at create: on a running v1 unit systemd rewrites devices.deny/allow, which briefly
        // denies the container's open devices (runc freezes around it); update does not change device rules anyway
        if (_path is not null && (resources?.Devices is not null || _fs.LinuxDevices is not null))
            properties.AddRange(DeviceProperties.For(Common.DeviceRules.Build(resources?.Devices, _fs.LinuxDevices)));
        Bus.SetUnitProperties(_unit, properties);
        _fs.Set(resources);
    }

    public void Freeze() => _fs.Freeze();
    public void Thaw() => _fs.Thaw();
    public bool IsFrozen() => _fs.IsFrozen();
    public IReadOnlyList<int> GetPids() => _fs.GetPids();
    public CgroupStats GetStats() => _fs.GetStats();
    public long OomKillCount() => _fs.OomKillCount();
    public bool Exists() => _fs.Exists();

    public void Destroy()
    {
        if (_started || _path is null)
        {
            try { Bus.StopUnit(_unit); }
            catch (CgroupException e) { CgroupLog.Debug($"systemd: stop {_unit}: {e.Message}"); }
        }
        _fs.Destroy();
    }
}
