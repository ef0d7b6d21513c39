using System.Runtime.InteropServices;

namespace NRunc.Native;

// Imports used by the cgroup drivers (NRunc.Cgroups). Method names carry a Cgroup prefix so that other areas can
// add their own mkdir/rmdir/statfs imports without a clash.
public static unsafe partial class Libc
{
    /// <summary>statfs(2) f_type of a cgroup v2 (unified) mount.</summary>
    public const long CGROUP2_SUPER_MAGIC = 0x63677270;
    /// <summary>statfs(2) f_type of a tmpfs (the v1 /sys/fs/cgroup mount).</summary>
    public const long TMPFS_MAGIC_CGROUP = 0x01021994;

    /// <summary>struct statfs on 64-bit Linux (120 bytes); only f_type is read.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 120)]
    public struct CgroupStatfsBuf
    {
        public long f_type;
    }

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true)]
    public static partial int CgroupStatfs(byte* path, CgroupStatfsBuf* buf);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true)]
    public static partial int CgroupMkdir(byte* path, int mode);

    [LibraryImport(Lib, EntryPoint = "rmdir", SetLastError = true)]
    public static partial int CgroupRmdir(byte* path);

    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true)]
    public static partial int CgroupAccess(byte* path, int mode);
}
