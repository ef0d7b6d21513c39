using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// Id-mapped bind mounts for a container with its own user namespace. Setting MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN over
/// the source filesystem's user namespace, which init no longer has, so the parent clones and id-maps each such tree
/// before the container starts, and init only attaches it (RootfsContext.PreparedMountFds).
/// </summary>
public static class PreparedIdMappedMounts
{
    /// <summary>Spec mount index → detached, id-mapped tree fd (O_CLOEXEC, owned by the caller).</summary>
    public static Dictionary<int, int> Prepare(NRunc.Spec.Spec spec, string bundle)
    {
        var prepared = new Dictionary<int, int>();
        var mounts = spec.Mounts ?? [];
        try
        {
            for (int i = 0; i < mounts.Count; i++)
            {
                var m = mounts[i];
                var o = MountOptions.Parse(m.Options);
                bool bind = o.IsBind || m.Type == "bind";
                if (!bind || !(o.IdMap || m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 })) continue;
                if (string.IsNullOrEmpty(m.Source)) throw new ContainerException($"mounts[{i}]: bind mount without a source");
                var source = m.Source.StartsWith('/') ? m.Source : Path.Combine(bundle, m.Source);
                var dest = InRoot.Clean(m.Destination);
                try
                {
                    using var src = SpecMounts.OpenHost(source, O_PATH);
                    var tree = MountOps.CloneTree(src, (o.Flags & MS_REC) != 0 || o.RecursiveIdMap, source);
                    try { IdMappedMounts.Apply(tree, m, o, dest, spec.Linux); }
                    catch { tree.Dispose(); throw; }
                    prepared[i] = tree.Release();
                }
                catch (NRunc.Native.NativeException e)
                {
                    // The kernel wants CAP_SYS_ADMIN over the source's mount and filesystem: never true for a rootless caller.
                    var hint = NRunc.Container.Rootless.RootlessMode.IsUnprivileged && e.Errno == NRunc.Native.Errno.EPERM
                        ? " (rootless: id-mapped mounts of host filesystems need privileges over them that an unprivileged user does not have)" : "";
                    throw new ContainerException($"error mounting \"{m.Source}\" to rootfs at \"{m.Destination}\": {e.Message}{hint}");
                }
            }
            return prepared;
        }
        catch
        {
            foreach (var fd in prepared.Values) close(fd);
            throw;
        }
    }
}
