using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Systemd;

/// <summary>
/// The systemd driver's cgroupsPath "slice:prefix:name" (runc's rules): an empty slice is system.slice; the unit is
/// "prefix-name.scope", or name itself when it ends in ".slice"; an absent cgroupsPath is ":runc:&lt;id&gt;"
/// (runc's default, so tools that look for runc-&lt;id&gt;.scope find it). The cgroup is the slice's expanded path
/// ("a-b.slice" → "/a.slice/a-b.slice") plus the unit.
/// </summary>
public sealed record SystemdUnitPath(string Slice, string Unit)
{
    public const string DefaultSlice = "system.slice";

    public static SystemdUnitPath Parse(string id, string? cgroupsPath)
    {
        var p = string.IsNullOrEmpty(cgroupsPath) ? ":runc:" + id : cgroupsPath;
        var parts = p.Split(':');
        if (parts.Length != 3)
            throw new CgroupException($"linux.cgroupsPath: expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got {CgroupFs.Quote(p)} instead");
        var slice = parts[0].Length == 0 ? DefaultSlice : parts[0];
        if (slice.Contains('/')) throw new CgroupException($"linux.cgroupsPath: invalid slice name {CgroupFs.Quote(slice)}: it must not contain \"/\"");
        try { ExpandSlice(slice); }
        catch (CgroupException e) { throw new CgroupException("linux.cgroupsPath: " + e.Message); }
        var name = parts[2].Length == 0 ? id : parts[2];
        var unit = name.EndsWith(".slice", StringComparison.Ordinal) ? name
            : (parts[1].Length == 0 ? name : parts[1] + "-" + name) + ".scope";
        return new SystemdUnitPath(slice, unit);
    }

    /// <summary>"a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" → "/" (the root slice).</summary>
    public static string ExpandSlice(string slice)
    {
        const string suffix = ".slice";
        if (!slice.EndsWith(suffix, StringComparison.Ordinal) || slice.Length <= suffix.Length || slice.Contains('/'))
            throw new CgroupException($"invalid slice name {CgroupFs.Quote(slice)}: expected NAME.slice");
        if (slice == "-.slice") return "/";
        var stem = slice[..^suffix.Length];
        var path = new System.Text.StringBuilder();
        var prefix = "";
        foreach (var component in stem.Split('-'))
        {
            if (component.Length == 0) throw new CgroupException($"invalid slice name {CgroupFs.Quote(slice)}: empty component between dashes");
            prefix = prefix.Length == 0 ? component : prefix + "-" + component;
            path.Append('/').Append(prefix).Append(suffix);
        }
        return path.ToString();
    }

    /// <summary>The cgroup path below a hierarchy's root: the expanded slice plus the unit.</summary>
    public string CgroupPath => Slice == "-.slice" ? "/" + Unit
        : Unit.EndsWith(".slice", StringComparison.Ordinal) ? ExpandSlice(Unit) : ExpandSlice(Slice) + "/" + Unit;
}
