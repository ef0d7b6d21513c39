using NRunc.Native;
using NRunc.Shim.Processes;

namespace NRunc.Shim.Service;

/// <summary>
/// cgroup v1 OOM notification: an eventfd registered with the memory cgroup's memory.oom_control through
/// cgroup.event_control. The kernel signals it on every OOM in the cgroup, and once more when the cgroup is removed
/// (then the watcher stops).
/// </summary>
public static unsafe class OomWatcher
{
    public static void Watch(string memoryDir, Action onOom)
    {
        int efd = -1, ctl = -1;
        try
        {
            efd = NativeException.Check(Libc.ShimEventfd(0, Libc.EFD_CLOEXEC), "eventfd");
            ctl = Pipes.Open(Path.Combine(memoryDir, "memory.oom_control"), Libc.O_RDONLY);
            File.WriteAllText(Path.Combine(memoryDir, "cgroup.event_control"), $"{efd} {ctl}");
        }
        catch (Exception e)
        {
            if (efd >= 0) Libc.close(efd);
            if (ctl >= 0) Libc.close(ctl);
            Log.Trace($"oom watch {memoryDir}: {e.Message}");
            return;
        }
        new Thread(() =>
        {
            ulong n;
            while (Libc.read(efd, (byte*)&n, 8) == 8)
            {
                if (!Directory.Exists(memoryDir)) break;
                onOom();
            }
            Libc.close(efd);
            Libc.close(ctl);
        }) { IsBackground = true, Name = "oom" }.Start();
    }
}
