using NRunc.Cgroups.Common;
using NRunc.Native;

namespace NRunc.Shim.Service;

/// <summary>
/// cgroup v2 OOM notification: inotify on the cgroup's memory.events; each time its oom_kill counter rises, one
/// TaskOOM. Also watches cgroup.events and stops once the cgroup has no process left (or is removed): one blocked
/// thread and one fd per running container, nothing polled.
/// </summary>
public static unsafe class OomWatcherV2
{
    public static void Watch(string dir, Action onOom)
    {
        int fd = -1;
        try
        {
            fd = NativeException.Check(Libc.ShimInotifyInit(Libc.IN_CLOEXEC), "inotify_init1");
            Add(fd, Path.Combine(dir, "memory.events"));
            Add(fd, Path.Combine(dir, "cgroup.events"));
        }
        catch (Exception e)
        {
            if (fd >= 0) Libc.close(fd);
            Log.Trace($"oom watch {dir}: {e.Message}");
            return;
        }
        long seen = OomCounter.Read(dir, "memory.events");
        new Thread(() =>
        {
            var buf = new byte[4096];
            while (true)
            {
                nint n;
                fixed (byte* b = buf) n = Libc.read(fd, b, buf.Length);
                if (n <= 0 || Removed(buf, (int)n)) break;
                long now = OomCounter.Read(dir, "memory.events");
                if (now > seen && seen >= 0) onOom();
                if (now >= 0) seen = now;
                if (!Populated(dir)) break;
            }
            Libc.close(fd);
        }) { IsBackground = true, Name = "oom" }.Start();
    }

    static void Add(int fd, string path)
    {
        var z = Utf8.Z(path);
        fixed (byte* p = z) NativeException.Check(Libc.ShimInotifyAddWatch(fd, p, Libc.IN_MODIFY), "inotify_add_watch", path);
    }

    /// <summary>An IN_IGNORED event: the watched file went away with its cgroup.</summary>
    static bool Removed(byte[] buf, int len)
    {
        // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
        for (int off = 0; off + 16 <= len; off += 16 + BitConverter.ToInt32(buf, off + 12))
            if ((BitConverter.ToUInt32(buf, off + 4) & Libc.IN_IGNORED) != 0) return true;
        return false;
    }

    static bool Populated(string dir)
    {
        try { return NRunc.Cgroups.Stats.StatParsers.FlatKeyed(File.ReadAllText(Path.Combine(dir, "cgroup.events"))).GetValueOrDefault("populated") != 0; }
        catch (IOException) { return false; }
    }
}
