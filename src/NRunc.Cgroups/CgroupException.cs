namespace NRunc.Cgroups;

/// <summary>
/// A cgroup operation failed. The message is complete and user-facing (runc's wording where runc has one, e.g.
/// <c>failed to write "100": write /sys/fs/cgroup/pids/x/pids.max: invalid argument</c>); <see cref="Errno"/> is set
/// when a system call failed.
/// </summary>
public sealed class CgroupException(string message, int errno = 0, Exception? inner = null) : Exception(message, inner)
{
    public int Errno { get; } = errno;
}
