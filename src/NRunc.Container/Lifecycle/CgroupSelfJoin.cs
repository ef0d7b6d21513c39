using NRunc.Cgroups;
using NRunc.Native;
using NRunc.Native.Raw;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// exec's child joins the container's v1 cgroups itself: "0" written to each hierarchy's tasks file, opened here by
/// the parent (the child is already in the container's mount namespace). See ICgroupManager.SelfJoinFiles.
/// </summary>
internal static unsafe class CgroupSelfJoin
{
    public readonly record struct Joint(int Fd, string File);

    /// <summary>
    /// O_WRONLY|O_CLOEXEC fds at or above <paramref name="minFd"/> (out of the preserved fds' range); none when the
    /// driver has no self-join or a file cannot be opened (then the parent's Apply joins, or reports the error).
    /// </summary>
    public static List<Joint> Open(ICgroupManager? cgroups, int minFd)
    {
        var joints = new List<Joint>();
        foreach (var file in cgroups?.SelfJoinFiles() ?? [])
        {
            int fd;
            fixed (byte* p = Utf8.Z(file)) fd = Libc.open(p, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
            int moved = fd < 0 ? -1 : Libc.fcntl_int(fd, Libc.F_DUPFD_CLOEXEC, minFd);
            if (fd >= 0) Libc.close(fd);
            if (moved < 0)
            {
                foreach (var j in joints) Libc.close(j.Fd);
                return [];
            }
            joints.Add(new Joint(moved, file));
        }
        return joints;
    }

    public static void Append(RawProgramBuilder b, List<Joint> joints)
    {
        foreach (var (fd, file) in joints)
            b.Add(RawOpCode.Syscall, $"joining cgroup {Path.GetDirectoryName(file)}", Nr.Write, fd, b.Bytes("0"u8), 1);
    }
}
