using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs2;

/// <summary>linux.resources.unified: each key is a file of the container's cgroup, written as given, last.</summary>
internal static class Fs2Unified
{
    public static void Set(string dir, Dictionary<string, string> unified, Func<HashSet<string>> controllers)
    {
        foreach (var (key, value) in unified)
        {
            if (key.Contains('/') || key is "." or ".." || key.Length == 0)
                throw new CgroupException($"linux.resources.unified: {CgroupFs.Quote(key)} must be a file name (no slashes)");
            int err = CgroupFs.TryWrite(CgroupFs.Join(dir, key), value);
            if (err == 0) continue;
            if (err is NRunc.Native.Errno.ENOENT or NRunc.Native.Errno.EPERM or NRunc.Native.Errno.EACCES)
            {
                int dot = key.IndexOf('.');
                if (dot <= 0) throw new CgroupException($"linux.resources.unified: {CgroupFs.Quote(key)} must be in the form CONTROLLER.PARAMETER", err);
                var c = key[..dot];
                if (c != "cgroup" && !controllers().Contains(c))
                    throw new CgroupException($"linux.resources.unified: {CgroupFs.Quote(key)} can't be set: controller {CgroupFs.Quote(c)} not available", err);
            }
            CgroupFs.Write(dir, key, value); // throws with runc's wording
        }
    }
}
