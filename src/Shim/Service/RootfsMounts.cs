using System.Runtime.InteropServices;
using NRunc.Native;
using NRunc.Shim.Protos;
using NRunc.Shim.Ttrpc;

namespace NRunc.Shim.Service;

/// <summary>
/// Mounts the rootfs containerd describes in Create (a snapshotter's overlay, or a bind of a directory) on
/// BUNDLE/rootfs, and takes it down on Delete. Flag options become mount flags; the rest is the data string.
/// </summary>
public static unsafe class RootfsMounts
{
    static readonly Dictionary<string, (ulong Set, ulong Clear)> Flags = new()
    {
        ["ro"] = (Libc.MS_RDONLY, 0), ["rw"] = (0, Libc.MS_RDONLY),
        ["bind"] = (Libc.MS_BIND, 0), ["rbind"] = (Libc.MS_BIND | Libc.MS_REC, 0),
        ["nosuid"] = (Libc.MS_NOSUID, 0), ["suid"] = (0, Libc.MS_NOSUID),
        ["nodev"] = (Libc.MS_NODEV, 0), ["dev"] = (0, Libc.MS_NODEV),
        ["noexec"] = (Libc.MS_NOEXEC, 0), ["exec"] = (0, Libc.MS_NOEXEC),
        ["noatime"] = (Libc.MS_NOATIME, 0), ["relatime"] = (Libc.MS_RELATIME, 0),
        ["strictatime"] = (Libc.MS_STRICTATIME, 0), ["nodiratime"] = (Libc.MS_NODIRATIME, 0),
        ["sync"] = (Libc.MS_SYNCHRONOUS, 0), ["async"] = (0, Libc.MS_SYNCHRONOUS),
        ["remount"] = (Libc.MS_REMOUNT, 0), ["defaults"] = (0, 0),
    };

    /// <summary>Parses mount options into flags and the filesystem data string.</summary>
    public static (ulong Flags, string Data) ParseOptions(IEnumerable<string> options)
    {
        ulong flags = 0;
        var data = new List<string>();
        foreach (var o in options)
        {
            if (Flags.TryGetValue(o, out var f)) flags = (flags | f.Set) & ~f.Clear;
            else data.Add(o);
        }
        return (flags, string.Join(',', data));
    }

    /// <summary>Mounts every entry on <paramref name="target"/> in order; on failure unmounts what was done.</summary>
    public static void Mount(IList<Protos.Mount> mounts, string target)
    {
        Directory.CreateDirectory(target);
        int done = 0;
        try
        {
            foreach (var m in mounts)
            {
                var (flags, data) = ParseOptions(m.Options);
                bool bind = (flags & Libc.MS_BIND) != 0;
                // A bind ignores MS_RDONLY on the first call: bind, then remount read-only.
                Call(m.Source, target, bind ? "none" : m.Type, bind ? flags & ~Libc.MS_RDONLY : flags, data, m.Type);
                done++;
                if (bind && (flags & Libc.MS_RDONLY) != 0)
                    Call("", target, "", Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY, "", m.Type);
            }
        }
        catch
        {
            for (int i = 0; i < done; i++) Unmount(target);
            throw;
        }
    }

    static void Call(string source, string target, string type, ulong flags, string data, string what)
    {
        var s = Utf8.Z(source); var t = Utf8.Z(target); var ty = Utf8.Z(type); var d = Utf8.Z(data);
        fixed (byte* ps = s) fixed (byte* pt = t) fixed (byte* pty = ty) fixed (byte* pd = d)
        {
            if (Libc.mount(ps, pt, pty, flags, data.Length > 0 ? pd : null) < 0)
                throw new RpcException(Code.Unknown, $"failed to mount rootfs component ({what} {source} on {target}): {Errno.Describe(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>Detaches every mount stacked on <paramref name="target"/>.</summary>
    public static void Unmount(string target)
    {
        var t = Utf8.Z(target);
        fixed (byte* pt = t)
            for (int i = 0; i < 16 && Libc.umount2(pt, Libc.MNT_DETACH) == 0; i++) { }
    }
}
