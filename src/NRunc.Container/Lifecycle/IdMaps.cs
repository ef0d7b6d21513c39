using System.Globalization;
using System.Text;
using NRunc.Container.Rootless;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// Writes a new user namespace's uid_map and gid_map from linux.uidMappings/gidMappings. Root writes them itself.
/// An unprivileged caller may write only a single mapping of its own id (and, for gids, only after setgroups is
/// set to "deny"); anything else goes through the setuid helpers newuidmap/newgidmap, which check /etc/subuid and
/// /etc/subgid (runc's rule).
/// </summary>
public static class IdMaps
{
    /// <summary>Writes both maps; returns false when setgroups had to be denied (no supplementary groups then).</summary>
    public static bool Write(int pid, NRunc.Spec.Linux? linux)
    {
        var proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        var uids = Require(linux?.UidMappings, "linux.uidMappings");
        var gids = Require(linux?.GidMappings, "linux.gidMappings");
        if (!RootlessMode.IsUnprivileged)
        {
            WriteFile(proc + "/uid_map", Format(uids), "linux.uidMappings");
            WriteFile(proc + "/gid_map", Format(gids), "linux.gidMappings");
            return true;
        }
        if (IsOwnIdOnly(uids, Libc.StateGeteuid())) WriteFile(proc + "/uid_map", Format(uids), "linux.uidMappings");
        else IdMapHelper.Run("newuidmap", pid, uids, "linux.uidMappings");
        if (IsOwnIdOnly(gids, Libc.StateGetegid()))
        {
            // The kernel lets an unprivileged process write gid_map only once setgroups is denied for good.
            WriteFile(proc + "/setgroups", "deny", "linux.gidMappings");
            WriteFile(proc + "/gid_map", Format(gids), "linux.gidMappings");
            return false;
        }
        IdMapHelper.Run("newgidmap", pid, gids, "linux.gidMappings");
        return true;
    }

    /// <summary>True when the caller can write this map without a helper: one mapping of one id, its own.</summary>
    public static bool IsOwnIdOnly(List<NRunc.Spec.LinuxIdMapping> maps, uint own) =>
        maps.Count == 1 && maps[0].HostId == own && maps[0].Size == 1;

    static List<NRunc.Spec.LinuxIdMapping> Require(List<NRunc.Spec.LinuxIdMapping>? maps, string where) =>
        maps is { Count: > 0 } ? maps : throw new ContainerException($"config.json: {where}: a new user namespace needs at least one mapping");

    static string Format(List<NRunc.Spec.LinuxIdMapping> maps)
    {
        var sb = new StringBuilder();
        foreach (var m in maps) sb.Append(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n");
        return sb.ToString();
    }

    static void WriteFile(string path, string text, string where)
    {
        try { File.WriteAllText(path, text); }
        catch (IOException e) { throw new ContainerException($"create: writing {path} ({where}): {e.Message}"); }
        catch (UnauthorizedAccessException) { throw new ContainerException($"create: writing {path} ({where}): permission denied"); }
    }
}
