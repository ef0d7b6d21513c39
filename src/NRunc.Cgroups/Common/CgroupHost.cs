using NRunc.Native;

namespace NRunc.Cgroups.Common;

/// <summary>
/// What the host mounts. Detection costs one statfs of /sys/fs/cgroup and, on v1 only, one read of
/// /proc/self/mountinfo; nothing is cached across processes and nothing runs at start-up.
/// </summary>
public static unsafe class CgroupHost
{
    public const string Root = "/sys/fs/cgroup";

    /// <summary>True when /sys/fs/cgroup is a cgroup2 mount (unified mode).</summary>
    public static bool IsUnified()
    {
        Libc.CgroupStatfsBuf buf;
        var p = Utf8.Z(Root);
        fixed (byte* pp = p)
        {
            if (Libc.CgroupStatfs(pp, &buf) != 0)
            {
                int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new CgroupException($"statfs {Root}: {Errno.Describe(e)}", e);
            }
        }
        return buf.f_type == Libc.CGROUP2_SUPER_MAGIC;
    }

    public static Dictionary<string, CgroupMount> V1Mounts()
    {
        var text = CgroupFs.TryRead("/proc/self/mountinfo", out int err)
            ?? throw new CgroupException($"read /proc/self/mountinfo: {Errno.Describe(err)}", err);
        return CgroupMounts.ParseV1(text);
    }

    public static Dictionary<string, string> OwnCgroups()
    {
        var text = CgroupFs.TryRead("/proc/self/cgroup", out int err)
            ?? throw new CgroupException($"read /proc/self/cgroup: {Errno.Describe(err)}", err);
        return CgroupMounts.ParseProcCgroup(text);
    }
}
