using System.Runtime.InteropServices;
using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// The container's filesystem, built by `nrunc init` inside the new mount namespace in three steps around the
/// createContainer hooks: Prepare (mounts and /dev in the rootfs), Pivot (switch root), Finish (masked and
/// read-only paths, read-only root, root propagation).
/// </summary>
public static unsafe class RootfsSetup
{
    public static void Prepare(RootfsContext c)
    {
        EnsureHostProcfs();
        var rootfs = RealPath(c.RootfsPath);
        c.ResolvedRootfs = rootfs;
        var old = umask(0);
        try
        {
            // Nothing mounted from here on may propagate back to the host.
            MountOps.MountPath(null, "/", null, RootPropagation(c.Spec) ?? (MS_SLAVE | MS_REC));
            MakeParentPrivate(rootfs);
            MountOps.MountPath(rootfs, rootfs, "bind", MS_BIND | MS_REC);
            NRunc.Container.Diagnostics.FaultPoint.Hit("init-mounts");

            using var root = SpecMounts.OpenHost(rootfs, O_PATH | O_DIRECTORY);
            var mounts = c.Spec.Mounts ?? [];
            for (var i = 0; i < mounts.Count; i++) SpecMounts.MountOne(c, root, mounts[i], i);

            if (NeedsDevSetup(c.Spec))
            {
                Devices.Create(c, root);
                Devices.Symlinks(root);
            }
            if (c.Terminal) Devices.ConsolePlaceholder(root);
        }
        catch (NativeException e)
        {
            throw new ContainerException($"preparing rootfs {c.RootfsPath}: {e.Message}", e);
        }
        finally
        {
            umask(old);
        }
    }

    public static void Pivot(RootfsContext c)
    {
        var rootfs = c.ResolvedRootfs.Length > 0 ? c.ResolvedRootfs : RealPath(c.RootfsPath);
        try
        {
            if (c.NoPivot) PivotRoot.MoveRoot(rootfs);
            else PivotRoot.Pivot(rootfs);
        }
        catch (NativeException e)
        {
            throw new ContainerException($"{(c.NoPivot ? "moving" : "pivoting")} root to {rootfs}: {e.Message}", e);
        }
    }

    public static void Finish(RootfsContext c)
    {
        var linux = c.Spec.Linux;
        using var root = SpecMounts.OpenHost("/", O_PATH | O_DIRECTORY);
        try
        {
            if (c.DevReadonly)
            {
                using var dev = InRoot.Open(root.Value, "/dev");
                MountOps.SetAttr(dev, MOUNT_ATTR_RDONLY, 0, false, "/dev");
            }
            if (linux?.MaskedPaths is { Count: > 0 } masked) MaskedPaths.Mask(root, masked);
            if (linux?.ReadonlyPaths is { Count: > 0 } ro) MaskedPaths.ReadOnly(root, ro);
            if (c.Spec.Root?.Readonly == true) RemountRootReadonly();
            // "/" only: the recursive setting was made before the mounts, whose own propagation options must stay
            if (RootPropagation(c.Spec) is { } prop) MountOps.MountPath(null, "/", null, prop & ~MS_REC);
        }
        catch (NativeException e)
        {
            throw new ContainerException($"finishing rootfs: {e.Message}", e);
        }
    }

    /// <summary>
    /// Creates a directory (and its parents) inside the rootfs before pivot, resolving symlinks inside it: for
    /// process.cwd, so a cwd symlinked to "../../.." cannot create directories on the host.
    /// </summary>
    public static void EnsureDirectory(RootfsContext c, string path)
    {
        var rootfs = c.ResolvedRootfs.Length > 0 ? c.ResolvedRootfs : RealPath(c.RootfsPath);
        try
        {
            using var root = SpecMounts.OpenHost(rootfs, O_PATH | O_DIRECTORY);
            using var dir = InRoot.OpenOrCreate(root.Value, path, CreateKind.Directory);
        }
        catch (NativeException e)
        {
            throw new ContainerException($"creating {path} in the rootfs: {e.Message}", e);
        }
    }

    /// <summary>linux.rootfsPropagation as mount flags, or null when unset.</summary>
    public static ulong? RootPropagation(NRunc.Spec.Spec spec)
    {
        var p = spec.Linux?.RootfsPropagation;
        if (string.IsNullOrEmpty(p)) return null;
        var f = MountOptions.PropagationOption(p);
        if (f == 0) throw new ContainerException($"config.json: linux.rootfsPropagation: unknown propagation \"{p}\"");
        return f;
    }

    /// <summary>/dev needs devices and symlinks unless the spec bind-mounts it from elsewhere (runc's rule).</summary>
    public static bool NeedsDevSetup(NRunc.Spec.Spec spec)
    {
        foreach (var m in spec.Mounts ?? [])
        {
            if (InRoot.Clean(m.Destination) != "/dev") continue;
            if (m.Type == "bind" || MountOptions.Parse(m.Options).IsBind) return false;
        }
        return true;
    }

    /// <summary>"/" read-only, keeping the flags already set (locked ones cannot be cleared in a user namespace).</summary>
    static void RemountRootReadonly()
    {
        try
        {
            MountOps.MountPath(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY);
        }
        catch (NativeException e) when (e.Errno == Errno.EPERM)
        {
            MountStatfs st;
            fixed (byte* p = Utf8.Z("/")) NativeException.Check(MountStatfsPath(p, &st), "statfs", "/");
            MountOps.MountPath(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY | MountOptions.LockedFlagsFromStatfs(st.f_flags));
        }
    }

    /// <summary>/proc/thread-self/fd/N paths are only trustworthy on a real procfs.</summary>
    static void EnsureHostProcfs()
    {
        MountStatfs st;
        fixed (byte* p = Utf8.Z("/proc")) NativeException.Check(MountStatfsPath(p, &st), "statfs", "/proc");
        if (st.f_type != PROC_SUPER_MAGIC) throw new ContainerException("/proc is not procfs: refusing to set up the rootfs");
    }

    /// <summary>
    /// The mount holding the rootfs must not be shared, or the rootfs bind would propagate to its peers and
    /// pivot_root would fail (runc's rootfsParentMountPrivate).
    /// </summary>
    static void MakeParentPrivate(string rootfs)
    {
        var (mountpoint, shared) = ParentMount(File.ReadAllText("/proc/self/mountinfo"), rootfs);
        if (shared) MountOps.MountPath(null, mountpoint, null, MS_PRIVATE);
    }

    /// <summary>The mountinfo entry whose mount point is the longest prefix of path, and whether it is shared.</summary>
    public static (string Mountpoint, bool Shared) ParentMount(string mountinfo, string path)
    {
        var best = "/";
        var shared = false;
        foreach (var line in mountinfo.Split('\n'))
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var pre = line[..dash].Split(' ');
            if (pre.Length < 6) continue;
            var mp = pre[4].Replace("\\040", " ");
            var under = mp == "/" || path == mp || path.StartsWith(mp + "/", StringComparison.Ordinal);
            if (!under || mp.Length < best.Length) continue;
            best = mp;
            shared = false;
            for (var i = 6; i < pre.Length; i++)
                if (pre[i].StartsWith("shared:", StringComparison.Ordinal)) shared = true;
        }
        return (best, shared);
    }

    static string RealPath(string path)
    {
        fixed (byte* p = Utf8.Z(path))
        {
            var r = MountRealpath(p, null);
            if (r == null) throw new ContainerException($"rootfs {path}: {NativeException.Describe(Marshal.GetLastPInvokeError())}");
            var s = Marshal.PtrToStringUTF8((nint)r)!;
            NativeMemory.Free(r);
            return s;
        }
    }
}
