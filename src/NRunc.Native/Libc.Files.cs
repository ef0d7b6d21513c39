using System.Runtime.InteropServices;

namespace NRunc.Native;

// fd-relative file calls used to build the container's filesystem without following paths out of the rootfs
// (NRunc.Container.Rootfs): openat2 with RESOLVE_IN_ROOT, the *at family, statx. Generic names that other areas may
// also want (chdir, chroot, fchdir) carry a Rootfs prefix to avoid clashes.
public static unsafe partial class Libc
{
    // open(2) flags (x86_64/arm64 generic values).
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100,
        O_TRUNC = 0x200, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000,
        O_PATH = 0x200000;

    // openat2(2) resolve flags.
    public const ulong RESOLVE_NO_XDEV = 1, RESOLVE_NO_MAGICLINKS = 2, RESOLVE_NO_SYMLINKS = 4, RESOLVE_BENEATH = 8,
        RESOLVE_IN_ROOT = 0x10, RESOLVE_CACHED = 0x20;

    // *at flags.
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
        AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;

    // st_mode bits.
    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    public const uint STATX_TYPE = 1, STATX_MODE = 2, STATX_BASIC_STATS = 0x7ff, STATX_MNT_ID = 0x1000;

    const long SYS_openat2 = 437;

    /// <summary>struct open_how for openat2(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong flags;
        public ulong mode;
        public ulong resolve;
    }

    /// <summary>struct statx (256 bytes); the same layout on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint stx_mask;
        [FieldOffset(16)] public uint stx_nlink;
        [FieldOffset(20)] public uint stx_uid;
        [FieldOffset(24)] public uint stx_gid;
        [FieldOffset(28)] public ushort stx_mode;
        [FieldOffset(32)] public ulong stx_ino;
        [FieldOffset(40)] public ulong stx_size;
        [FieldOffset(128)] public uint stx_rdev_major;
        [FieldOffset(132)] public uint stx_rdev_minor;
        [FieldOffset(136)] public uint stx_dev_major;
        [FieldOffset(140)] public uint stx_dev_minor;
        [FieldOffset(144)] public ulong stx_mnt_id;
    }

    public static int openat2(int dirfd, byte* path, OpenHow* how) =>
        (int)syscall(SYS_openat2, dirfd, (long)path, (long)how, sizeof(OpenHow), 0, 0);

    [LibraryImport(Lib, SetLastError = true)] public static partial int mkdirat(int dirfd, byte* path, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int mknodat(int dirfd, byte* path, uint mode, ulong dev);
    [LibraryImport(Lib, SetLastError = true)] public static partial int symlinkat(byte* target, int dirfd, byte* linkpath);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint readlinkat(int dirfd, byte* path, byte* buf, nint size);
    [LibraryImport(Lib, SetLastError = true)] public static partial int unlinkat(int dirfd, byte* path, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fchmodat(int dirfd, byte* path, uint mode, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fchownat(int dirfd, byte* path, int uid, int gid, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fchmod(int fd, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fchown(int fd, int uid, int gid);
    [LibraryImport(Lib, SetLastError = true)] public static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buf);
    [LibraryImport(Lib, SetLastError = true)] public static partial uint umask(uint mask);

    [LibraryImport(Lib, EntryPoint = "fchdir", SetLastError = true)] public static partial int RootfsFchdir(int fd);
    [LibraryImport(Lib, EntryPoint = "chdir", SetLastError = true)] public static partial int RootfsChdir(byte* path);
    [LibraryImport(Lib, EntryPoint = "chroot", SetLastError = true)] public static partial int RootfsChroot(byte* path);

    /// <summary>makedev(3) as glibc encodes it.</summary>
    public static ulong Makedev(long major, long minor) =>
        (((ulong)major & 0xfffff000UL) << 32) | (((ulong)major & 0xfffUL) << 8) |
        (((ulong)minor & 0xffffff00UL) << 12) | ((ulong)minor & 0xffUL);
}
