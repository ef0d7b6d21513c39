using System.Runtime.InteropServices;

namespace NRunc.Native;

// Mount-API imports used by the container's filesystem setup (NRunc.Container.Rootfs): mount(2), umount2(2),
// pivot_root(2), the new mount API (open_tree, move_mount, mount_setattr, fsopen/fsconfig/fsmount) and statfs.
// The new-API calls go through syscall(2) so they do not depend on the libc version; their numbers are the same
// on every architecture (they were allocated after the syscall tables were unified).
public static unsafe partial class Libc
{
    // mount(2) flags (include/uapi/linux/mount.h).
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16, MS_REMOUNT = 32,
        MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096,
        MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18,
        MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    // umount2(2) flags.
    public const int MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;

    // statfs f_flags (ST_*), the per-mount flags a remount must keep.
    public const long ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_SYNCHRONOUS = 16, ST_MANDLOCK = 64,
        ST_NOATIME = 1024, ST_NODIRATIME = 2048, ST_RELATIME = 4096, ST_NOSYMFOLLOW = 0x2000;

    // statfs f_type values checked before a filesystem is trusted.
    public const long PROC_SUPER_MAGIC = 0x9fa0, SYSFS_MAGIC = 0x62656572, TMPFS_MAGIC = 0x01021994,
        DEVPTS_SUPER_MAGIC = 0x1cd1, CGROUP_SUPER_MAGIC = 0x27e0eb;

    // open_tree(2) / move_mount(2) / mount_setattr(2).
    public const uint OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0x80000;
    public const uint MOVE_MOUNT_F_SYMLINKS = 1, MOVE_MOUNT_F_AUTOMOUNTS = 2, MOVE_MOUNT_F_EMPTY_PATH = 4,
        MOVE_MOUNT_T_SYMLINKS = 0x10, MOVE_MOUNT_T_AUTOMOUNTS = 0x20, MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    public const ulong MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4, MOUNT_ATTR_NOEXEC = 8,
        MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0, MOUNT_ATTR_NOATIME = 0x10, MOUNT_ATTR_STRICTATIME = 0x20,
        MOUNT_ATTR_NODIRATIME = 0x80, MOUNT_ATTR_IDMAP = 0x100000, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    // fsopen/fsconfig/fsmount.
    public const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    public const uint FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;

    const long SYS_open_tree = 428, SYS_move_mount = 429, SYS_fsopen = 430, SYS_fsconfig = 431, SYS_fsmount = 432,
        SYS_mount_setattr = 442;

    /// <summary>struct mount_attr (MOUNT_ATTR_SIZE_VER0, 32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MountAttr
    {
        public ulong attr_set;
        public ulong attr_clr;
        public ulong propagation;
        public ulong userns_fd;
    }

    /// <summary>struct statfs on 64-bit Linux (120 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 120)]
    public struct MountStatfs
    {
        public long f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize, f_flags;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mount(byte* source, byte* target, byte* fstype, ulong flags, byte* data);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int umount2(byte* target, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fstatfs(int fd, MountStatfs* buf);

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true)]
    public static partial int MountStatfsPath(byte* path, MountStatfs* buf);

    /// <summary>pivot_root(2) through syscall(2): older libcs have no wrapper.</summary>
    public static int pivot_root(byte* newRoot, byte* putOld)
    {
        long nr = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 41 : 155;
        return (int)syscall(nr, (long)newRoot, (long)putOld, 0, 0, 0, 0);
    }

    public static int open_tree(int dfd, byte* path, uint flags) =>
        (int)syscall(SYS_open_tree, dfd, (long)path, flags, 0, 0, 0);

    public static int move_mount(int fromDfd, byte* fromPath, int toDfd, byte* toPath, uint flags) =>
        (int)syscall(SYS_move_mount, fromDfd, (long)fromPath, toDfd, (long)toPath, flags, 0);

    public static int mount_setattr(int dfd, byte* path, uint flags, MountAttr* attr) =>
        (int)syscall(SYS_mount_setattr, dfd, (long)path, flags, (long)attr, sizeof(MountAttr), 0);

    public static int fsopen(byte* fsname, uint flags) => (int)syscall(SYS_fsopen, (long)fsname, flags, 0, 0, 0, 0);

    public static int fsconfig(int fd, uint cmd, byte* key, byte* value, int aux) =>
        (int)syscall(SYS_fsconfig, fd, cmd, (long)key, (long)value, aux, 0);

    public static int fsmount(int fd, uint flags, uint attrFlags) => (int)syscall(SYS_fsmount, fd, flags, attrFlags, 0, 0, 0);

    /// <summary>glibc clone(3): used only to start a child in a new user namespace whose entry point is a libc
    /// function (pause), so no managed code runs in the child. It supplies the user namespace of id-mapped mounts.</summary>
    [LibraryImport(Lib, EntryPoint = "clone", SetLastError = true)]
    public static partial int MountClone(nint fn, void* stack, int flags, void* arg);

    [LibraryImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int MountWaitpid(int pid, int* status, int options);

    [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true)]
    public static partial byte* MountRealpath(byte* path, byte* resolved);

    public const int MOUNT_CLONE_NEWUSER = 0x10000000, MOUNT_SIGCHLD = 17, MOUNT_SIGKILL = 9;
}
