using NRunc.Cgroups.Common;
using NRunc.Cgroups.Fs2;

namespace NRunc.Cgroups.Systemd;

/// <summary>
/// The container's device rules as systemd's DevicePolicy/DeviceAllow. Without them systemd's policy is "auto", and on
/// cgroup v1 it writes "a" to devices.allow whenever it realizes the unit (a daemon-reload, a property change), which
/// would open every device to the container; on v2 it would attach no filter of its own, which is harmless but
/// inconsistent. systemd only takes an allow list, so the rules are first reduced to their effect (a default and
/// exceptions, like the kernel's devices controller); a default-allow set is policy "auto" (the fs driver still
/// writes its deny rules).
/// </summary>
public static class DeviceProperties
{
    public static List<UnitProperty> For(IReadOnlyList<DeviceRule> rules, string procDevices = "/proc/devices")
    {
        var set = DeviceRuleSet.From(rules);
        if (set.DefaultAllow)
        {
            if (set.Exceptions.Count > 0) CgroupLog.Debug("systemd: device deny rules cannot be expressed as DeviceAllow; the devices cgroup files carry them");
            return [UnitProperty.String("DevicePolicy", "auto"), UnitProperty.DeviceAllow([])];
        }
        Dictionary<long, string>? chars = null, blocks = null;
        var allow = new List<(string, string)>();
        foreach (var e in set.Exceptions)
        {
            var kind = e.Type == 'b' ? "block" : "char";
            string node;
            if (e.Major == DeviceRule.Wildcard) node = kind + "-*";
            else if (e.Minor != DeviceRule.Wildcard) node = $"/dev/{kind}/{e.Major}:{e.Minor}";
            else
            {
                // "all minors of one major" exists in systemd only by the driver's name in /proc/devices
                var names = e.Type == 'b' ? blocks ??= ReadProcDevices(procDevices, "Block devices:") : chars ??= ReadProcDevices(procDevices, "Character devices:");
                if (!names.TryGetValue(e.Major, out var name))
                {
                    CgroupLog.Debug($"systemd: no driver for {kind} major {e.Major} in {procDevices}: rule left to the devices cgroup files");
                    continue;
                }
                node = kind + "-" + name;
            }
            allow.Add((node, Access(e.Access)));
        }
        return [UnitProperty.String("DevicePolicy", "strict"), UnitProperty.DeviceAllow(allow.ToArray())];
    }

    static string Access(int bits) =>
        ((bits & DeviceRuleSet.Read) != 0 ? "r" : "") + ((bits & DeviceRuleSet.Write) != 0 ? "w" : "") + ((bits & DeviceRuleSet.Mknod) != 0 ? "m" : "");

    /// <summary>/proc/devices' "major name" lines of one section.</summary>
    static Dictionary<long, string> ReadProcDevices(string path, string section)
    {
        var map = new Dictionary<long, string>();
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException) { return map; }
        bool inSection = false;
        foreach (var line in lines)
        {
            if (line.EndsWith(':')) { inSection = line == section; continue; }
            if (!inSection) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && long.TryParse(parts[0], out var major)) map.TryAdd(major, parts[1]);
        }
        return map;
    }
}
