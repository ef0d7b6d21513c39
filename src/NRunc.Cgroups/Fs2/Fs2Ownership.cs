using NRunc.Native;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>
/// cgroup ownership (config-linux.md, runc 1.2): on cgroup v2, when the container has its own user and cgroup
/// namespaces, its cgroup dir and the files that delegate it (cgroup.procs, cgroup.subtree_control, cgroup.threads)
/// belong to the host uid/gid that container root maps to, so the container can manage its own sub-cgroups.
/// </summary>
public static unsafe class Fs2Ownership
{
    static readonly string[] DelegatedFiles = ["cgroup.procs", "cgroup.subtree_control", "cgroup.threads"];

    /// <summary>The host id that container id 0 maps to, or null when 0 is not mapped.</summary>
    public static uint? HostIdOfRoot(IReadOnlyList<LinuxIdMapping>? maps)
    {
        foreach (var m in maps ?? [])
            if (m.ContainerId == 0 && m.Size > 0) return m.HostId;
        return null;
    }

    public static void Chown(string dir, IReadOnlyList<LinuxIdMapping>? uidMaps, IReadOnlyList<LinuxIdMapping>? gidMaps)
    {
        if (HostIdOfRoot(uidMaps) is not uint uid) return;
        int gid = HostIdOfRoot(gidMaps) is uint g ? (int)g : -1;
        ChownOne(dir, (int)uid, gid);
        foreach (var f in DelegatedFiles)
        {
            var path = dir + "/" + f;
            if (Common.CgroupFs.Exists(path)) ChownOne(path, (int)uid, gid);
        }
    }

    static void ChownOne(string path, int uid, int gid)
    {
        fixed (byte* p = Utf8.Z(path))
            if (Libc.fchownat(-100 /* AT_FDCWD */, p, uid, gid, 0) != 0)
            {
                int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new CgroupException($"chown {path} to {uid}:{gid} (cgroup ownership for the container's user namespace): {Errno.Describe(e)}", e);
            }
    }
}
