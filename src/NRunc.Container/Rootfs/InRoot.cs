using NRunc.Native;
using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>What to create when a path inside the rootfs does not exist yet.</summary>
public enum CreateKind { None, Directory, File }

/// <summary>
/// Race-free path resolution inside a root directory: every lookup is openat2(RESOLVE_IN_ROOT |
/// RESOLVE_NO_MAGICLINKS) relative to an fd of the root, so symlinks (absolute or "..") resolve inside it and can
/// never reach the host; missing parents and targets are created with mkdirat/openat on the resolved parent fd.
/// Dangling symlinks are followed inside the root (so /etc/resolv.conf -> ../run/x creates root/run/x, like runc).
/// </summary>
public static unsafe class InRoot
{
    const int MaxSymlinks = 40;

    /// <summary>Opens <paramref name="path"/> (relative to the root fd, "/" is the root) with O_PATH.</summary>
    public static int TryOpen(int rootFd, string path, int flags, out int errno)
    {
        var how = new OpenHow
        {
            flags = (ulong)(flags | O_CLOEXEC),
            resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        var rel = Relative(path);
        fixed (byte* p = Utf8.Z(rel))
        {
            int fd;
            do
            {
                fd = openat2(rootFd, p, &how);
                errno = fd < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
            } while (fd < 0 && errno == Errno.EAGAIN); // openat2 may ask to retry after a concurrent rename
            return fd;
        }
    }

    public static Fd Open(int rootFd, string path, int flags = O_PATH)
    {
        var fd = TryOpen(rootFd, path, flags, out var errno);
        if (fd < 0) throw new NativeException("openat2", path, errno);
        return new Fd(fd);
    }

    /// <summary>
    /// Opens <paramref name="path"/> as O_PATH, creating it (and its missing parents as 0755 directories) when absent.
    /// </summary>
    public static Fd OpenOrCreate(int rootFd, string path, CreateKind kind, uint mode = 0)
    {
        var links = 0;
        var current = Clean(path);
        while (true)
        {
            var fd = TryOpen(rootFd, current, O_PATH, out var errno);
            if (fd >= 0) return new Fd(fd);
            if (errno != Errno.ENOENT || kind == CreateKind.None) throw new NativeException("openat2", path, errno);

            var (parent, name) = Split(current);
            if (name.Length == 0) throw new NativeException("openat2", path, errno);
            using var parentFd = OpenOrCreate(rootFd, parent, CreateKind.Directory);

            // The last component may be a dangling symlink: follow it inside the root.
            var target = TryReadlink(parentFd.Value, name);
            if (target is not null)
            {
                if (++links > MaxSymlinks) throw new NativeException("openat2", path, Errno.ELOOP);
                current = Clean(target.StartsWith('/') ? target : parent + "/" + target);
                continue;
            }

            int r;
            fixed (byte* n = Utf8.Z(name))
            {
                if (kind == CreateKind.Directory)
                {
                    r = mkdirat(parentFd.Value, n, mode == 0 ? 0x1ed : mode);
                }
                else
                {
                    r = openat(parentFd.Value, n, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC | O_NOCTTY,
                        (int)(mode == 0 ? 0x1a4u : mode));
                    if (r >= 0) close(r);
                }
            }
            if (r < 0)
            {
                var e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                // Lost a race with someone creating it: open it on the next round.
                if (e != Errno.EEXIST) throw new NativeException(kind == CreateKind.Directory ? "mkdirat" : "openat", current, e);
            }
        }
    }

    /// <summary>readlinkat of a single name in a directory fd, or null when it is not a symlink.</summary>
    public static string? TryReadlink(int dirFd, string name)
    {
        var buf = new byte[4096];
        fixed (byte* n = Utf8.Z(name))
        fixed (byte* b = buf)
        {
            var len = readlinkat(dirFd, n, b, buf.Length);
            if (len < 0) return null;
            return System.Text.Encoding.UTF8.GetString(buf, 0, (int)len);
        }
    }

    /// <summary>Lexically cleaned absolute path: "//a/./b/../c/" → "/a/c"; ".." never goes above "/".</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>Parent directory and last name of a cleaned absolute path ("/" has an empty name).</summary>
    public static (string Parent, string Name) Split(string cleaned)
    {
        var i = cleaned.LastIndexOf('/');
        if (i < 0) return ("/", cleaned);
        var parent = i == 0 ? "/" : cleaned[..i];
        return (parent, cleaned[(i + 1)..]);
    }

    /// <summary>The path openat2 gets: relative to the root fd ("." for the root itself).</summary>
    static string Relative(string path)
    {
        var c = Clean(path);
        return c == "/" ? "." : c[1..];
    }

    /// <summary>Kind of the object behind an fd (S_IFDIR, S_IFREG, ...) and its device numbers.</summary>
    public static Statx Stat(int fd, string what)
    {
        Statx st;
        fixed (byte* e = Utf8.Z(""))
            NativeException.Check(statx(fd, e, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_MNT_ID, &st), "statx", what);
        return st;
    }

    public static bool IsDir(in Statx st) => (st.stx_mode & S_IFMT) == S_IFDIR;
}
