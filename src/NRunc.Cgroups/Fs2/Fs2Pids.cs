using NRunc.Cgroups.Common;
using NRunc.Spec;

namespace NRunc.Cgroups.Fs2;

/// <summary>cgroup v2 pids: pids.max (limit ≤ 0 means "max").</summary>
internal static class Fs2Pids
{
    public static void Set(string dir, LinuxPids p) => CgroupFs.Write(dir, "pids.max", Fs.FsPids.Value(p));

    public static void Stat(string dir, CgroupStats s) => Fs.FsPids.Stat(dir, s);
}
