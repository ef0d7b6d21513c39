using System.Globalization;
using System.Text;

namespace NRunc.Container.Lifecycle;

/// <summary>Writes a new user namespace's uid_map and gid_map from linux.uidMappings/gidMappings (as root: no newuidmap).</summary>
public static class IdMaps
{
    public static void Write(int pid, NRunc.Spec.Linux? linux)
    {
        var proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        WriteOne(proc + "/uid_map", linux?.UidMappings, "linux.uidMappings");
        WriteOne(proc + "/gid_map", linux?.GidMappings, "linux.gidMappings");
    }

    static void WriteOne(string path, List<NRunc.Spec.LinuxIdMapping>? maps, string where)
    {
        if (maps is null || maps.Count == 0)
            throw new ContainerException($"config.json: {where}: a new user namespace needs at least one mapping");
        var sb = new StringBuilder();
        foreach (var m in maps) sb.Append(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n");
        try { File.WriteAllText(path, sb.ToString()); }
        catch (IOException e) { throw new ContainerException($"create: writing {path} ({where}): {e.Message}"); }
        catch (UnauthorizedAccessException) { throw new ContainerException($"create: writing {path} ({where}): permission denied"); }
    }
}
