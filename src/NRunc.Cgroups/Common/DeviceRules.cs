using NRunc.Spec;

namespace NRunc.Cgroups.Common;

/// <summary>One devices-cgroup rule, rendered as the v1 devices.allow/deny line "c 1:3 rwm".</summary>
public readonly record struct DeviceRule(bool Allow, char Type, long Major, long Minor, string Access)
{
    public const long Wildcard = -1;

    public string Line => Type == 'a' ? "a *:* " + Access
        : $"{Type} {(Major == Wildcard ? "*" : Conversions.Str(Major))}:{(Minor == Wildcard ? "*" : Conversions.Str(Minor))} {Access}";
}

/// <summary>
/// The device rules a container gets, in the order runc applies them: deny everything, linux.resources.devices as
/// given, then runc's default allowed devices (null, zero, full, random, urandom, tty, ptmx, /dev/pts, tun, mknod of
/// anything), then every device of linux.devices.
/// </summary>
public static class DeviceRules
{
    const long Wildcard = DeviceRule.Wildcard;

    static readonly DeviceRule[] Defaults =
    [
        new(true, 'c', Wildcard, Wildcard, "m"),
        new(true, 'b', Wildcard, Wildcard, "m"),
        new(true, 'c', 1, 3, "rwm"),   // /dev/null
        new(true, 'c', 1, 8, "rwm"),   // /dev/random
        new(true, 'c', 1, 7, "rwm"),   // /dev/full
        new(true, 'c', 5, 0, "rwm"),   // /dev/tty
        new(true, 'c', 1, 5, "rwm"),   // /dev/zero
        new(true, 'c', 1, 9, "rwm"),   // /dev/urandom
        new(true, 'c', 136, Wildcard, "rwm"), // /dev/pts/*
        new(true, 'c', 5, 2, "rwm"),   // /dev/ptmx
        new(true, 'c', 10, 200, "rwm"), // /dev/net/tun
    ];

    public static IReadOnlyList<DeviceRule> DefaultAllowed => Defaults;

    public static List<DeviceRule> Build(IReadOnlyList<LinuxDeviceCgroup>? resources, IReadOnlyList<LinuxDevice>? devices)
    {
        var rules = new List<DeviceRule> { new(false, 'a', Wildcard, Wildcard, "rwm") };
        if (resources is not null)
            for (int i = 0; i < resources.Count; i++) rules.Add(FromSpec(resources[i], i));
        rules.AddRange(Defaults);
        if (devices is not null)
            foreach (var d in devices)
                if (d.Type is "c" or "b" or "u")
                    rules.Add(new DeviceRule(true, d.Type == "b" ? 'b' : 'c', d.Major, d.Minor, "rwm"));
        return rules;
    }

    public static DeviceRule FromSpec(LinuxDeviceCgroup d, int index)
    {
        char type = string.IsNullOrEmpty(d.Type) ? 'a' : d.Type.Length == 1 && d.Type[0] is 'a' or 'c' or 'b' ? d.Type[0]
            : throw new CgroupException($"linux.resources.devices[{index}].type: invalid device type {CgroupFs.Quote(d.Type)} (expected a, b or c)");
        var access = string.IsNullOrEmpty(d.Access) ? "rwm" : d.Access;
        foreach (var c in access)
            if (c is not ('r' or 'w' or 'm'))
                throw new CgroupException($"linux.resources.devices[{index}].access: invalid access {CgroupFs.Quote(access)} (expected a subset of \"rwm\")");
        if (type == 'a') return new DeviceRule(d.Allow, 'a', Wildcard, Wildcard, access);
        return new DeviceRule(d.Allow, type, d.Major ?? Wildcard, d.Minor ?? Wildcard, access);
    }
}
