namespace NRunc.Container.State;

/// <summary>Derives a container's status from its record and the live system, as runc does.</summary>
public static class StatusProbe
{
    /// <summary>
    /// InitPid 0 → creating while the create process lives, else stopped (an aborted create); init gone, a zombie, or with another start time (pid reused) → stopped;
    /// exec.fifo present → created; cgroup frozen → paused; else running.
    /// </summary>
    public static ContainerStatus Get(StateStore store, ContainerRecord record)
    {
        if (record.InitPid == 0) return IsCreatorAlive(record) ? ContainerStatus.Creating : ContainerStatus.Stopped;
        if (!IsInitAlive(record)) return ContainerStatus.Stopped;
        if (File.Exists(Path.Combine(store.ContainerDir(record.Id), StateStore.ExecFifo))) return ContainerStatus.Created;
        if (IsFrozen(record)) return ContainerStatus.Paused;
        return ContainerStatus.Running;
    }

    /// <summary>Extra key for the creating process, "PID:STARTTIME", recorded before create makes anything.</summary>
    public const string CreatorKey = "creator";

    public static string CreatorIdentity(int pid) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{pid}:{ProcStat.Read(pid)?.StartTime ?? 0}");

    /// <summary>
    /// True when the process that recorded the container is still running create (same pid and start time). Records
    /// without a creator (older nrunc) count as alive, which was the old behaviour.
    /// </summary>
    public static bool IsCreatorAlive(ContainerRecord record)
    {
        if (record.Extra?.GetValueOrDefault(CreatorKey) is not { } v) return true;
        var colon = v.IndexOf(':');
        if (colon < 0 || !int.TryParse(v.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ||
            !ulong.TryParse(v.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var start))
            return true;
        var st = ProcStat.Read(pid);
        return st is { } s && s.State is not ('Z' or 'X' or 'x') && s.StartTime == start;
    }

    /// <summary>True when the recorded init still exists, is not a zombie (or dead), and has the recorded start time.</summary>
    public static bool IsInitAlive(ContainerRecord record)
    {
        var st = ProcStat.Read(record.InitPid);
        if (st is not { } s) return false;
        if (s.State is 'Z' or 'X' or 'x') return false;
        return s.StartTime == record.InitStartTime;
    }

    /// <summary>
    /// Reads the freezer state straight from the cgroup files (v1 freezer.state, v2 cgroup.events): a cheap read on
    /// the hot path of state and list, without building a cgroup manager. FREEZING counts as paused, like runc.
    /// </summary>
    public static bool IsFrozen(ContainerRecord record)
    {
        if (record.CgroupPaths.TryGetValue("freezer", out var v1) && !string.IsNullOrEmpty(v1))
        {
            var s = ReadSmall(Path.Combine(v1, "freezer.state"));
            return s is not null && (s.StartsWith("FROZEN", StringComparison.Ordinal) || s.StartsWith("FREEZING", StringComparison.Ordinal));
        }
        if (record.CgroupPaths.TryGetValue("", out var v2) && !string.IsNullOrEmpty(v2))
        {
            var s = ReadSmall(Path.Combine(v2, "cgroup.freeze"));
            return s is not null && s.StartsWith('1');
        }
        return false;
    }

    static string? ReadSmall(string path)
    {
        Span<byte> buf = stackalloc byte[64];
        try
        {
            int n = FastIo.ReadSmall(path, buf);
            return n < 0 ? null : System.Text.Encoding.ASCII.GetString(buf[..n]);
        }
        catch (NRunc.Native.NativeException) { return null; }
    }
}
