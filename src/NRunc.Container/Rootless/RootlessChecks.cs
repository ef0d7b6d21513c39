using System.Globalization;
using NRunc.Container.Lifecycle;
using NRunc.Native;

namespace NRunc.Container.Rootless;

/// <summary>
/// What a config needs when nrunc is run by an unprivileged user (runc's rootless validation), checked before
/// anything is made so that the error names the JSON path instead of a failing syscall.
/// </summary>
public static class RootlessChecks
{
    public static void Validate(NRunc.Spec.Spec spec)
    {
        if (!RootlessMode.IsUnprivileged) return;
        var uid = Libc.StateGeteuid();
        var linux = spec.Linux;
        var userNs = (linux?.Namespaces ?? []).Find(n => n.Type == "user");
        if (userNs is null)
            throw new ContainerException($"config.json: linux.namespaces: a rootless container (nrunc run by uid {uid}) needs a user namespace: add {{\"type\": \"user\"}} (`nrunc spec --rootless` writes one)");
        if (!string.IsNullOrEmpty(userNs.Path)) return; // joined: its maps are already written
        if (linux!.UidMappings is not { Count: > 0 } uids)
            throw new ContainerException($"config.json: linux.uidMappings: a rootless container needs at least one mapping (for example container 0 → host {uid}, size 1)");
        if (linux.GidMappings is not { Count: > 0 } gids)
            throw new ContainerException($"config.json: linux.gidMappings: a rootless container needs at least one mapping (for example container 0 → host {Libc.StateGetegid()}, size 1)");
        // A single mapping of our own gid is written by nrunc after denying setgroups: no supplementary groups then.
        if (IdMaps.IsOwnIdOnly(gids, Libc.StateGetegid()) && spec.Process?.User?.AdditionalGids is { Count: > 0 })
            throw new ContainerException("config.json: process.user.additionalGids: a rootless container whose only gid mapping is the caller's own gid cannot set additional groups (setgroups is denied); map a range from /etc/subgid to use them");
        var mounts = spec.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++)
            foreach (var opt in mounts[i].Options ?? [])
            {
                if (opt.StartsWith("uid=", StringComparison.Ordinal)) CheckMapped(opt, 4, uids, $"mounts[{i}].options", "linux.uidMappings");
                else if (opt.StartsWith("gid=", StringComparison.Ordinal)) CheckMapped(opt, 4, gids, $"mounts[{i}].options", "linux.gidMappings");
            }
    }

    static void CheckMapped(string opt, int skip, List<NRunc.Spec.LinuxIdMapping> maps, string where, string mapsName)
    {
        if (!uint.TryParse(opt.AsSpan(skip), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return;
        foreach (var m in maps)
            if (id >= m.ContainerId && id - m.ContainerId < m.Size) return;
        throw new ContainerException($"config.json: {where}: {opt}: id {id} is not mapped in the container's user namespace ({mapsName}), which a rootless container needs");
    }
}
