using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// "cgroup" mounts. On a v1 (or hybrid) host: a tmpfs at the destination and, for every v1 hierarchy, the
/// container's cgroup dir bind-mounted onto dest/&lt;hierarchy&gt; (or, in a new cgroup namespace, the hierarchy mounted
/// directly), with symlinks for co-mounted controllers ("cpu" → "cpu,cpuacct"); the tmpfs is made read-only at the
/// end when the mount asks for ro. On a v2 host: cgroup2 itself in a new cgroup namespace, else a bind of the
/// container's cgroup dir.
/// </summary>
public static class CgroupFsMounts
{
    const string HostRoot = "/sys/fs/cgroup";

    /// <summary>One v1 hierarchy as the host mounts it.</summary>
    public sealed record Hierarchy(string Mountpoint, string Root, string Name, IReadOnlyList<string> Controllers);

    public static void MountCgroup(RootfsContext c, in Fd root, string dest, MountOptions o)
    {
        if (HostIsUnified()) { MountCgroup2(c, root, dest, o); return; }
        const ulong dflt = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        using (var target = InRoot.OpenOrCreate(root.Value, dest, CreateKind.Directory))
            MountOps.Mount("tmpfs", target, "tmpfs", dflt, "mode=755", dest);

        var own = OwnCgroups();
        var subFlags = o.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        foreach (var h in ParseHierarchies(File.ReadAllText("/proc/self/mountinfo")))
        {
            var sub = dest + "/" + h.Name;
            using var subFd = InRoot.OpenOrCreate(root.Value, sub, CreateKind.Directory);
            if (c.NewCgroupNamespace)
            {
                MountOps.Mount("cgroup", subFd, "cgroup", subFlags, string.Join(',', h.Controllers), sub);
            }
            else
            {
                var hostDir = HostDir(c, h, own);
                if (hostDir is null) continue;
                using var src = SpecMounts.OpenHost(hostDir, O_PATH | O_DIRECTORY);
                MountOps.Mount(src.ProcPath, subFd, null, MS_BIND | MS_REC, null, sub);
                using var mnt = InRoot.Open(root.Value, sub);
                MountOps.BindRemount(mnt, subFlags | dflt, !o.AtimeGiven, sub);
            }
            if (h.Controllers.Count > 1 || h.Name != h.Controllers[0])
            {
                using var dir = InRoot.Open(root.Value, dest, O_PATH | O_DIRECTORY);
                foreach (var ctrl in h.Controllers)
                {
                    var name = ctrl.StartsWith("name=", StringComparison.Ordinal) ? ctrl[5..] : ctrl;
                    if (name != h.Name) Devices.Symlink(dir, h.Name, name);
                }
            }
        }
        if ((o.Flags & MS_RDONLY) != 0)
        {
            using var t = InRoot.Open(root.Value, dest);
            MountOps.SetAttr(t, MOUNT_ATTR_RDONLY, 0, false, dest);
        }
        using (var t = InRoot.Open(root.Value, dest)) SpecMounts.After(t, o, dest);
    }

    public static void MountCgroup2(RootfsContext c, in Fd root, string dest, MountOptions o)
    {
        using var target = InRoot.OpenOrCreate(root.Value, dest, CreateKind.Directory);
        var flags = o.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (c.NewCgroupNamespace)
        {
            try
            {
                MountOps.Mount("cgroup2", target, "cgroup2", flags, o.Data, dest);
                using var m = InRoot.Open(root.Value, dest);
                SpecMounts.After(m, o, dest);
                return;
            }
            catch (NativeException e) when (e.Errno == Errno.EPERM || e.Errno == Errno.EBUSY) { /* fall back to a bind */ }
        }
        string? hostDir = null;
        if (c.CgroupPaths.TryGetValue("", out var p) && p.Length > 0) hostDir = p;
        else if (OwnCgroups().TryGetValue("", out var own)) hostDir = HostRoot + (own == "/" ? "" : own);
        if (hostDir is null) throw new ContainerException("no cgroup v2 path for the container");
        using var src = SpecMounts.OpenHost(hostDir, O_PATH | O_DIRECTORY);
        MountOps.Mount(src.ProcPath, target, null, MS_BIND | MS_REC, null, dest);
        using var mnt = InRoot.Open(root.Value, dest);
        if (flags != 0) MountOps.BindRemount(mnt, flags, !o.AtimeGiven, dest);
        SpecMounts.After(mnt, o, dest);
    }

    /// <summary>The container's dir in this hierarchy: from CgroupPaths, else the cgroup init itself is in.</summary>
    static string? HostDir(RootfsContext c, Hierarchy h, Dictionary<string, string> own)
    {
        foreach (var ctrl in h.Controllers)
        {
            if (c.CgroupPaths.TryGetValue(ctrl, out var p) && p.Length > 0) return p;
            if (ctrl.StartsWith("name=", StringComparison.Ordinal) && c.CgroupPaths.TryGetValue(ctrl[5..], out p) && p.Length > 0) return p;
        }
        foreach (var ctrl in h.Controllers)
        {
            if (!own.TryGetValue(ctrl, out var path)) continue;
            // path is relative to the hierarchy's root; the host shows that root at Mountpoint.
            var rel = path;
            if (h.Root != "/" && rel.StartsWith(h.Root, StringComparison.Ordinal)) rel = rel[h.Root.Length..];
            return h.Mountpoint + (rel == "/" ? "" : rel);
        }
        return null;
    }

    static unsafe bool HostIsUnified()
    {
        MountStatfs st;
        fixed (byte* p = Utf8.Z(HostRoot))
            NativeException.Check(MountStatfsPath(p, &st), "statfs", HostRoot);
        return st.f_type == 0x63677270; // CGROUP2_SUPER_MAGIC
    }

    static Dictionary<string, string> OwnCgroups()
    {
        var r = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllText("/proc/self/cgroup").Split('\n'))
        {
            var a = line.IndexOf(':');
            var b = a < 0 ? -1 : line.IndexOf(':', a + 1);
            if (b < 0) continue;
            var ctrls = line[(a + 1)..b];
            if (ctrls.Length == 0) { r[""] = line[(b + 1)..]; continue; }
            foreach (var ctl in ctrls.Split(',')) r[ctl] = line[(b + 1)..];
        }
        return r;
    }

    /// <summary>The v1 hierarchies in a mountinfo text (first mount of each wins), named after their mount dir.</summary>
    public static List<Hierarchy> ParseHierarchies(string mountinfo)
    {
        var list = new List<Hierarchy>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in mountinfo.Split('\n'))
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var post = line[(dash + 3)..].Split(' ');
            if (post.Length < 3 || post[0] != "cgroup") continue;
            var pre = line[..dash].Split(' ');
            if (pre.Length < 5) continue;
            var ctrls = new List<string>();
            foreach (var opt in post[2].Split(','))
            {
                if (opt is "rw" or "ro" or "xattr" or "noprefix" or "clone_children" or "cpuset_v2_mode" ||
                    opt.StartsWith("release_agent=", StringComparison.Ordinal)) continue;
                ctrls.Add(opt);
            }
            if (ctrls.Count == 0) continue;
            var mp = Unescape(pre[4]);
            // Only the host's own hierarchies (a container's bind of its cgroup is also of type cgroup).
            if (!mp.StartsWith(HostRoot + "/", StringComparison.Ordinal)) continue;
            var key = string.Join(',', ctrls);
            if (!seen.Add(key)) continue;
            list.Add(new Hierarchy(mp, Unescape(pre[3]), mp[(mp.LastIndexOf('/') + 1)..], ctrls));
        }
        return list;
    }

    static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length)
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
