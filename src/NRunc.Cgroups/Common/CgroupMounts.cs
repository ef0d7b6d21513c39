namespace NRunc.Cgroups.Common;

/// <summary>A cgroup v1 hierarchy's mount: where it is and which path of the hierarchy it shows.</summary>
public sealed record CgroupMount(string Mountpoint, string Root, IReadOnlyList<string> Controllers);

/// <summary>Parsers for /proc/self/mountinfo and /proc/self/cgroup (pure functions, unit-tested on fixtures).</summary>
public static class CgroupMounts
{
    /// <summary>
    /// The v1 hierarchies in a mountinfo text. Controllers are taken from the super options ("rw,cpu,cpuacct";
    /// named hierarchies keep their "name=" prefix). The first mount of a hierarchy wins, as in runc.
    /// </summary>
    public static Dictionary<string, CgroupMount> ParseV1(string mountinfo)
    {
        var result = new Dictionary<string, CgroupMount>(StringComparer.Ordinal);
        foreach (var line in mountinfo.Split('\n'))
        {
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var post = line[(dash + 3)..].Split(' ');
            if (post.Length < 3 || post[0] != "cgroup") continue;
            var pre = line[..dash].Split(' ');
            if (pre.Length < 5) continue;
            var root = Unescape(pre[3]);
            var mnt = Unescape(pre[4]);
            var ctrls = new List<string>();
            foreach (var opt in post[2].Split(','))
            {
                if (opt is "rw" or "ro" or "xattr" or "noprefix" or "clone_children" || opt.StartsWith("release_agent=", StringComparison.Ordinal) || opt.StartsWith("cpuset_v2_mode", StringComparison.Ordinal)) continue;
                ctrls.Add(opt);
            }
            var m = new CgroupMount(mnt, root, ctrls);
            foreach (var c in ctrls) result.TryAdd(c, m);
        }
        return result;
    }

    /// <summary>
    /// /proc/PID/cgroup: controller → path. v1 lines "4:memory:/a" give "memory"; co-mounted "cpu,cpuacct" gives both;
    /// named "name=systemd" is kept as is; the v2 line "0::/a" gives "".
    /// </summary>
    public static Dictionary<string, string> ParseProcCgroup(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            int a = line.IndexOf(':');
            int b = a < 0 ? -1 : line.IndexOf(':', a + 1);
            if (b < 0) continue;
            var ctrls = line[(a + 1)..b];
            var path = line[(b + 1)..];
            if (ctrls.Length == 0) { result[""] = path; continue; }
            foreach (var c in ctrls.Split(',')) result[c] = path;
        }
        return result;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && IsOct(s[i + 1]) && IsOct(s[i + 2]) && IsOct(s[i + 3]))
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
        static bool IsOct(char c) => c is >= '0' and <= '7';
    }
}
