using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 freezer: FROZEN/THAWED, waiting for FREEZING to settle.</summary>
internal static class FsFreezer
{
    public static void Freeze(string dir)
    {
        // Freezing can stall on a task that is forking; like runc, write FROZEN repeatedly, pause now and then, and
        // every so often thaw and retry, for about 10 s in all.
        for (int i = 0; i < 1000; i++)
        {
            if (i % 50 == 49) { CgroupFs.Write(dir, "freezer.state", "THAWED"); Thread.Sleep(10); }
            CgroupFs.Write(dir, "freezer.state", "FROZEN");
            if (i % 25 == 24) Thread.Sleep(10);
            var state = CgroupFs.Read(dir, "freezer.state").Trim();
            if (state == "FROZEN") return;
            if (state != "FREEZING") throw new CgroupException($"unexpected freezer state {CgroupFs.Quote(state)} in {dir}");
        }
        CgroupFs.Write(dir, "freezer.state", "THAWED");
        throw new CgroupException($"unable to freeze {dir}: still FREEZING after 1000 attempts");
    }

    public static void Thaw(string dir) => CgroupFs.Write(dir, "freezer.state", "THAWED");

    public static bool IsFrozen(string dir)
    {
        var s = CgroupFs.TryRead(CgroupFs.Join(dir, "freezer.state"), out _);
        if (s is null) return false;
        // A cgroup whose parent is frozen reads FROZEN too; self_freezing tells whether we froze this one.
        if (s.Trim() != "FROZEN") return false;
        var self = CgroupFs.TryRead(dir, "freezer.self_freezing")?.Trim();
        return self is null or "1";
    }
}
