using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs2;

/// <summary>cgroup v2 freezer: cgroup.freeze, then wait until cgroup.events says "frozen" matches.</summary>
internal static class Fs2Freezer
{
    public static void Set(string dir, bool frozen)
    {
        if (!CgroupFs.FileExists(dir, "cgroup.freeze"))
            throw new CgroupException($"cgroup v2 freezer is not supported by this kernel (no {dir}/cgroup.freeze)");
        CgroupFs.Write(dir, "cgroup.freeze", frozen ? "1" : "0");
        // The kernel freezes asynchronously; poll cgroup.events (up to ~10 s).
        for (int i = 0; i < 1000; i++)
        {
            if (EventsFrozen(dir) == frozen) return;
            Thread.Sleep(i < 20 ? 1 : 10);
        }
        throw new CgroupException($"unable to {(frozen ? "freeze" : "thaw")} {dir}: cgroup.events did not settle");
    }

    static bool EventsFrozen(string dir)
    {
        var ev = CgroupFs.TryRead(dir, "cgroup.events");
        return ev is not null && Stats.StatParsers.FlatKeyed(ev).GetValueOrDefault("frozen") == 1;
    }

    public static bool IsFrozen(string dir)
    {
        var f = CgroupFs.TryRead(dir, "cgroup.freeze");
        return f is not null && f.Trim() == "1";
    }
}
