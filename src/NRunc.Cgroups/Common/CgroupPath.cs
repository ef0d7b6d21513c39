namespace NRunc.Cgroups.Common;

/// <summary>Path arithmetic with Go's filepath semantics, which runc's cgroup path rules are written in.</summary>
public static class CgroupPath
{
    /// <summary>Go's filepath.Clean: collapses "//", "." and "..", drops a trailing slash; "" becomes ".".</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0) return ".";
        bool rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!rooted) parts.Add("..");
                continue;
            }
            parts.Add(part);
        }
        var joined = string.Join('/', parts);
        if (rooted) return "/" + joined;
        return joined.Length == 0 ? "." : joined;
    }

    /// <summary>
    /// runc's CleanPath for cgroupsPath: cleaned, and a relative path can never climb above its base
    /// ("../../x" → "x"), so a config cannot escape the runtime's own cgroup.
    /// </summary>
    public static string CleanCgroupsPath(string path)
    {
        if (path.Length == 0) return "";
        var c = Clean(path);
        if (c[0] != '/')
        {
            c = Clean("/" + c).TrimStart('/');
            if (c.Length == 0) c = ".";
        }
        return c;
    }

    /// <summary>Go's filepath.Join: joins the non-empty elements and cleans.</summary>
    public static string Join(params string[] elems)
    {
        var nonEmpty = elems.Where(e => e.Length > 0).ToArray();
        return nonEmpty.Length == 0 ? "" : Clean(string.Join('/', nonEmpty));
    }

    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="root"/> when it lies under it (both absolute), as used to
    /// map a /proc/self/cgroup path through a cgroup mount whose root is not the hierarchy's root.
    /// </summary>
    public static string RelativeTo(string root, string path)
    {
        root = Clean(root); path = Clean(path);
        if (root == "/") return path;
        if (path == root) return "/";
        if (path.StartsWith(root + "/", StringComparison.Ordinal)) return path[root.Length..];
        return path; // not under the mount root (another namespace's view): use as is, like runc.
    }
}
