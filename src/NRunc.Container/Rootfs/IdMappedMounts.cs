using System.Runtime.InteropServices;
using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// Id-mapped bind mounts (mounts[].uidMappings/gidMappings, or the "idmap"/"ridmap" options): the detached clone of
/// the source gets MOUNT_ATTR_IDMAP with a user namespace carrying the mappings. That namespace comes from a child
/// started with glibc clone(CLONE_NEWUSER) whose entry point is libc's pause(), so no managed code runs in it; its
/// maps are written from here, its ns fd opened, and it is killed and reaped.
/// The kernel only allows this with CAP_SYS_ADMIN over the source filesystem's user namespace, so from inside a new
/// container user namespace the parent has to prepare the tree instead (RootfsContext.PreparedMountFds).
/// </summary>
public static unsafe class IdMappedMounts
{
    public static void Apply(in Fd tree, NRunc.Spec.Mount m, MountOptions o, string dest, NRunc.Spec.Linux? linux = null)
    {
        var uids = m.UidMappings is { Count: > 0 } ? m.UidMappings : linux?.UidMappings;
        var gids = m.GidMappings is { Count: > 0 } ? m.GidMappings : linux?.GidMappings;
        if (uids is not { Count: > 0 } || gids is not { Count: > 0 })
            throw new ContainerException("id-mapped mount needs both uidMappings and gidMappings (on the mount or in linux)");
        using var userns = NewUserNamespace(Format(uids), Format(gids));
        MountOps.SetAttr(tree, MOUNT_ATTR_IDMAP, 0, o.RecursiveIdMap, dest, userns.Value);
    }

    /// <summary>uid_map text: "containerID hostID size" lines.</summary>
    public static string Format(IEnumerable<NRunc.Spec.LinuxIdMapping> maps)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var x in maps) sb.Append(x.ContainerId).Append(' ').Append(x.HostId).Append(' ').Append(x.Size).Append('\n');
        return sb.ToString();
    }

    /// <summary>An fd of a new user namespace with the given maps.</summary>
    public static Fd NewUserNamespace(string uidMap, string gidMap)
    {
        var libc = NativeLibrary.Load("libc.so.6");
        var pause = NativeLibrary.GetExport(libc, "pause");
        const int stackSize = 64 * 1024;
        var stack = (byte*)NativeMemory.AlignedAlloc(stackSize, 16);
        var pid = MountClone(pause, stack + stackSize, MOUNT_CLONE_NEWUSER | MOUNT_SIGCHLD, null);
        if (pid < 0)
        {
            var e = Marshal.GetLastPInvokeError();
            NativeMemory.AlignedFree(stack);
            throw new NativeException("clone", "CLONE_NEWUSER", e);
        }
        try
        {
            // init runs in a new pid namespace while the host's /proc is still mounted: the child's pid is only
            // meaningful in a procfs instance of our own pid namespace, so make a detached one.
            using var proc = MountOps.NewFs("proc", [], 0, "proc");
            var p = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            WriteOnce(proc, p + "/uid_map", uidMap);
            WriteOnce(proc, p + "/gid_map", gidMap);
            return OpenAt(proc, p + "/ns/user", O_RDONLY);
        }
        finally
        {
            kill(pid, MOUNT_SIGKILL);
            int status;
            while (MountWaitpid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
            NativeMemory.AlignedFree(stack);
        }
    }

    /// <summary>id maps must be written with a single write(2).</summary>
    static Fd OpenAt(in Fd dir, string path, int flags)
    {
        fixed (byte* p = Utf8.Z(path))
        {
            var fd = openat(dir.Value, p, flags | O_CLOEXEC, 0);
            if (fd < 0) throw new NativeException("open", "/proc/" + path, Marshal.GetLastPInvokeError());
            return new Fd(fd);
        }
    }

    static void WriteOnce(in Fd proc, string path, string text)
    {
        using var fd = OpenAt(proc, path, O_WRONLY);
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        fixed (byte* b = bytes)
        {
            if (write(fd.Value, b, bytes.Length) != bytes.Length)
                throw new NativeException("write", path, Marshal.GetLastPInvokeError());
        }
    }
}
