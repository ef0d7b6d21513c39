using System.Text;
using NRunc.Native;

namespace NRunc.Cgroups.Common;

/// <summary>
/// Reads and writes of cgroupfs files with raw syscalls (one open, one write, one close: no FileStream set-up on the
/// hot path of create), turning errno into <see cref="CgroupException"/>s that name the value and the file.
/// </summary>
internal static unsafe class CgroupFs
{
    const int O_RDONLY = 0, O_WRONLY = 1, O_CLOEXEC = 0x80000, O_DIRECTORY = 0x10000;

    public static string Join(string dir, string file) => string.Concat(dir, "/", file);

    /// <summary>Writes <paramref name="value"/> to dir/file in one write(2), as the kernel expects.</summary>
    public static void Write(string dir, string file, string value)
    {
        var path = Join(dir, file);
        int err = TryWrite(path, value);
        if (err != 0)
            throw new CgroupException($"failed to write {Quote(value)}: write {path}: {Errno.Describe(err)}", err);
    }

    /// <summary>Writes and returns 0, or returns errno (open or write) without throwing.</summary>
    public static int TryWrite(string path, string value)
    {
        var p = Utf8.Z(path);
        int fd;
        fixed (byte* pp = p) fd = Libc.open(pp, O_WRONLY | O_CLOEXEC, 0);
        if (fd < 0) return System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
            {
                while (true)
                {
                    nint n = Libc.write(fd, b, bytes.Length);
                    if (n >= 0) return 0;
                    int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (e != Errno.EINTR) return e;
                }
            }
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Reads a whole cgroupfs file (they report st_size 0, so read until EOF).</summary>
    public static string Read(string dir, string file)
    {
        var path = Join(dir, file);
        var s = TryRead(path, out int err);
        if (s is null) throw new CgroupException($"read {path}: {Errno.Describe(err)}", err);
        return s;
    }

    /// <summary>The file's text, or null with errno in <paramref name="errno"/>.</summary>
    public static string? TryRead(string path, out int errno)
    {
        errno = 0;
        var p = Utf8.Z(path);
        int fd;
        fixed (byte* pp = p) fd = Libc.open(pp, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) { errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError(); return null; }
        try
        {
            var buf = new byte[4096];
            int len = 0;
            while (true)
            {
                if (len == buf.Length) Array.Resize(ref buf, buf.Length * 2);
                nint n;
                fixed (byte* b = buf) n = Libc.read(fd, b + len, buf.Length - len);
                if (n < 0)
                {
                    int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (e == Errno.EINTR) continue;
                    errno = e; return null;
                }
                if (n == 0) break;
                len += (int)n;
            }
            return Encoding.UTF8.GetString(buf, 0, len);
        }
        finally { Libc.close(fd); }
    }

    public static string? TryRead(string dir, string file) => TryRead(Join(dir, file), out _);

    /// <summary>A file holding one unsigned number ("max" reads as ulong.MaxValue, as runc does).</summary>
    public static ulong ReadUInt(string dir, string file) => ParseUInt(Read(dir, file).Trim(), Join(dir, file));

    public static ulong ParseUInt(string s, string what)
    {
        if (s == "max") return ulong.MaxValue;
        if (ulong.TryParse(s, out var v)) return v;
        // Negative values (e.g. -1 in some v1 files) mean "no limit" too.
        if (long.TryParse(s, out var neg) && neg < 0) return 0;
        throw new CgroupException($"unable to parse {Quote(s)} as a uint from cgroup file {what}");
    }

    public static bool Exists(string path)
    {
        var p = Utf8.Z(path);
        fixed (byte* pp = p) return Libc.CgroupAccess(pp, 0) == 0;
    }

    public static bool FileExists(string dir, string file) => Exists(Join(dir, file));

    /// <summary>mkdir one level; true when this call created it, false when it existed.</summary>
    public static bool Mkdir(string path)
    {
        var p = Utf8.Z(path);
        int r;
        fixed (byte* pp = p) r = Libc.CgroupMkdir(pp, 0x1ed /* 0755 */);
        if (r == 0) return true;
        int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (e == Errno.EEXIST) return false;
        throw new CgroupException($"mkdir {path}: {Errno.Describe(e)}", e);
    }

    /// <summary>mkdir -p; appends the dirs it created (outermost first) to <paramref name="created"/>.</summary>
    public static void MkdirAll(string path, List<string> created)
    {
        if (Exists(path)) return;
        int slash = path.LastIndexOf('/');
        if (slash > 0) MkdirAll(path[..slash], created);
        if (Mkdir(path)) created.Add(path);
    }

    /// <summary>rmdir; 0 or errno. ENOENT counts as success.</summary>
    public static int Rmdir(string path)
    {
        var p = Utf8.Z(path);
        int r;
        fixed (byte* pp = p) r = Libc.CgroupRmdir(pp);
        if (r == 0) return 0;
        int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return e == Errno.ENOENT ? 0 : e;
    }

    /// <summary>
    /// Removes a cgroup dir and every sub-cgroup, deepest first. A cgroup whose last task just exited can report
    /// EBUSY for a moment, so rmdir is retried for up to about a second (runc retries the same way).
    /// </summary>
    public static void RemoveTree(string path)
    {
        if (!Exists(path)) return;
        string[] subdirs;
        try { subdirs = Directory.GetDirectories(path); }
        catch (DirectoryNotFoundException) { return; }
        foreach (var d in subdirs) RemoveTree(d);
        int err = 0;
        for (int i = 0; i < 50; i++)
        {
            err = Rmdir(path);
            if (err != Errno.EBUSY && err != Errno.EAGAIN) break;
            Thread.Sleep(i < 10 ? 2 : 20);
        }
        if (err != 0) throw new CgroupException($"rmdir {path}: {Errno.Describe(err)}", err);
    }

    /// <summary>Go's %q-ish quoting used in runc's messages.</summary>
    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
