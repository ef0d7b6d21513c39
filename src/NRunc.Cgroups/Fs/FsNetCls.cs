using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs;

/// <summary>cgroup v1 net_cls: net_cls.classid.</summary>
internal static class FsNetCls
{
    public static void Set(string dir, uint classId) => CgroupFs.Write(dir, "net_cls.classid", Conversions.Str(classId));
}
