using System.Runtime.InteropServices;
using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// linux.maskedPaths and linux.readonlyPaths, applied after pivot_root with the new mount API (open_tree,
/// fsmount, mount_setattr, move_mount) on fds resolved inside the new root, so they need no /proc and cannot be
/// redirected by symlinks.
/// </summary>
public static unsafe class MaskedPaths
{
    /// <summary>A directory gets an empty read-only tmpfs, anything else a bind of the verified /dev/null.</summary>
    public static void Mask(in Fd root, IEnumerable<string> paths)
    {
        var devNull = new Fd(-1);
        try
        {
            foreach (var path in paths)
            {
                var fd = InRoot.TryOpen(root.Value, path, O_PATH, out var errno);
                if (fd < 0)
                {
                    if (errno is Errno.ENOENT or Errno.ENOTDIR) continue;
                    throw new ContainerException($"masking {path}: {new NativeException("openat2", path, errno).Message}");
                }
                using var target = new Fd(fd);
                try
                {
                    var st = InRoot.Stat(target.Value, path);
                    if (InRoot.IsDir(st))
                    {
                        using var tmp = MountOps.NewFs("tmpfs", [], (uint)MOUNT_ATTR_RDONLY, path);
                        MountOps.Attach(tmp, target, path);
                    }
                    else
                    {
                        if (!devNull.IsValid) devNull = OpenDevNull(root);
                        using var tree = MountOps.CloneTree(devNull, false, "/dev/null");
                        MountOps.Attach(tree, target, path);
                    }
                }
                catch (NativeException e)
                {
                    throw new ContainerException($"masking {path}: {e.Message}", e);
                }
            }
        }
        finally
        {
            devNull.Dispose();
        }
    }

    /// <summary>
    /// /dev/null as the container has it, checked through the opened fd to be the 1:3 character device, so a file
    /// or symlink planted there cannot be bound over masked paths (CVE-2025-31133).
    /// </summary>
    public static Fd OpenDevNull(in Fd root)
    {
        var fd = InRoot.Open(root.Value, "/dev/null", O_PATH);
        var st = InRoot.Stat(fd.Value, "/dev/null");
        if (!IsNullDevice(st))
        {
            fd.Dispose();
            throw new ContainerException($"/dev/null is not the null device (mode 0{Convert.ToString(st.stx_mode, 8)}, {st.stx_rdev_major}:{st.stx_rdev_minor}): refusing to use it to mask paths");
        }
        return fd;
    }

    public static bool IsNullDevice(in Statx st) =>
        (st.stx_mode & S_IFMT) == S_IFCHR && st.stx_rdev_major == 1 && st.stx_rdev_minor == 3;

    /// <summary>A recursive read-only bind of each path onto itself (nosuid/nodev/noexec are kept by the clone).</summary>
    public static void ReadOnly(in Fd root, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var fd = InRoot.TryOpen(root.Value, path, O_PATH, out var errno);
            if (fd < 0)
            {
                if (errno is Errno.ENOENT or Errno.ENOTDIR) continue;
                throw new ContainerException($"making {path} read-only: {new NativeException("openat2", path, errno).Message}");
            }
            using var target = new Fd(fd);
            try
            {
                using var tree = MountOps.CloneTree(target, true, path);
                MountOps.SetAttr(tree, MOUNT_ATTR_RDONLY, 0, true, path);
                MountOps.Attach(tree, target, path);
            }
            catch (NativeException e)
            {
                throw new ContainerException($"making {path} read-only: {e.Message}", e);
            }
        }
    }
}
