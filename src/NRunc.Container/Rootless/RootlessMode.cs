using NRunc.Native;

namespace NRunc.Container.Rootless;

/// <summary>
/// Whether nrunc runs rootless, in runc's two senses: the caller is not root (so the user namespace is the only way
/// to get privileges, and id maps beyond one's own id need newuidmap/newgidmap), and cgroups may not be writable
/// (--rootless: true, false, or auto = not root, or root of a user namespace).
/// </summary>
public static class RootlessMode
{
    /// <summary>The caller is not root: everything is done through a user namespace it owns.</summary>
    public static bool IsUnprivileged => Libc.EffectiveUid() != 0;

    /// <summary>--rootless resolved: true when cgroup permission errors are to be skipped rather than fatal.</summary>
    public static bool CgroupsRootless(string? flag) => flag switch
    {
        "true" => true,
        "false" => false,
        _ => IsUnprivileged || InUserNamespace(),
    };

    /// <summary>
    /// True unless this process is in the initial user namespace, whose uid_map is the identity over all ids.
    /// (Root of a user namespace cannot know whether the cgroup it would use is writable, so runc treats it as
    /// rootless too.)
    /// </summary>
    public static bool InUserNamespace()
    {
        string map;
        try { map = File.ReadAllText("/proc/self/uid_map"); }
        catch (IOException) { return false; }
        var f = map.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return !(f.Length == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295");
    }

    /// <summary>
    /// True when the user namespace of <paramref name="pid"/> has setgroups denied (a rootless single-id gid map):
    /// exec must then not call setgroups.
    /// </summary>
    public static bool SetgroupsDenied(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/setgroups").Trim() == "deny"; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
