using NRunc.Container.Rootfs;
using Xunit;
using static NRunc.Native.Libc;

namespace NRunc.Tests.Rootfs;

public class MountOptionsTests
{
    [Fact]
    public void FlagsAndDataAreSplit()
    {
        var o = MountOptions.Parse(["nosuid", "strictatime", "mode=755", "size=65536k"]);
        Assert.Equal(MS_NOSUID | MS_STRICTATIME, o.Flags);
        Assert.Equal("mode=755,size=65536k", o.Data);
        Assert.True(o.AtimeGiven);
        Assert.False(o.IsBind);
    }

    [Fact]
    public void LaterOptionsWin()
    {
        var o = MountOptions.Parse(["ro", "rw", "nodev", "dev", "noexec"]);
        Assert.Equal(MS_NOEXEC, o.Flags);
        Assert.Equal(MS_RDONLY | MS_NODEV, o.Cleared);
    }

    [Fact]
    public void AtimeModesReplaceEachOther()
    {
        var o = MountOptions.Parse(["noatime", "relatime"]);
        Assert.Equal(MS_RELATIME, o.Flags);
    }

    [Theory]
    [InlineData("bind", MS_BIND)]
    [InlineData("rbind", MS_BIND | MS_REC)]
    [InlineData("sync", MS_SYNCHRONOUS)]
    [InlineData("dirsync", MS_DIRSYNC)]
    [InlineData("remount", MS_REMOUNT)]
    [InlineData("mand", MS_MANDLOCK)]
    [InlineData("nodiratime", MS_NODIRATIME)]
    [InlineData("nosymfollow", MS_NOSYMFOLLOW)]
    [InlineData("lazytime", MS_LAZYTIME)]
    [InlineData("defaults", 0UL)]
    public void SingleFlag(string opt, ulong flag)
    {
        var o = MountOptions.Parse([opt]);
        Assert.Equal(flag, o.Flags);
        Assert.Equal("", o.Data);
    }

    [Fact]
    public void PropagationIsKeptInOrder()
    {
        var o = MountOptions.Parse(["rbind", "rslave", "private", "runbindable", "shared", "rshared", "unbindable", "slave", "rprivate"]);
        Assert.Equal(new[]
        {
            MS_SLAVE | MS_REC, MS_PRIVATE, MS_UNBINDABLE | MS_REC, MS_SHARED, MS_SHARED | MS_REC, MS_UNBINDABLE,
            MS_SLAVE, MS_PRIVATE | MS_REC,
        }, o.Propagation);
        Assert.True(o.IsRecursiveBind);
    }

    [Fact]
    public void RecursiveAttributes()
    {
        var o = MountOptions.Parse(["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow"]);
        Assert.Equal(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW, o.RecAttrSet);
        Assert.Equal(0UL, o.RecAttrClr);
        var back = MountOptions.Parse(["rro", "rrw"]);
        Assert.Equal(0UL, back.RecAttrSet);
        Assert.Equal(MOUNT_ATTR_RDONLY, back.RecAttrClr);
    }

    [Fact]
    public void RecursiveAtimeClearsTheAtimeField()
    {
        var o = MountOptions.Parse(["rnoatime"]);
        Assert.Equal(MOUNT_ATTR_NOATIME, o.RecAttrSet);
        Assert.Equal(MOUNT_ATTR__ATIME, o.RecAttrClr);
    }

    [Fact]
    public void IdmapOptions()
    {
        Assert.True(MountOptions.Parse(["idmap"]).IdMap);
        Assert.False(MountOptions.Parse(["idmap"]).RecursiveIdMap);
        Assert.True(MountOptions.Parse(["ridmap"]).RecursiveIdMap);
        Assert.True(MountOptions.Parse(["tmpcopyup"]).TmpCopyUp);
    }

    [Fact]
    public void OverlayDataPassesThrough()
    {
        var o = MountOptions.Parse(["lowerdir=/a:/b", "upperdir=/u", "workdir=/w", " ", "ro"]);
        Assert.Equal("lowerdir=/a:/b,upperdir=/u,workdir=/w", o.Data);
        Assert.Equal(MS_RDONLY, o.Flags);
    }

    [Fact]
    public void NullOptions() => Assert.Equal(0UL, MountOptions.Parse(null).Flags);

    [Fact]
    public void LockedFlagsFromStatfs()
    {
        Assert.Equal(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME,
            MountOptions.LockedFlagsFromStatfs(ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME));
        Assert.Equal(MS_NOATIME | MS_NODIRATIME, MountOptions.LockedFlagsFromStatfs(ST_NOATIME | ST_NODIRATIME));
    }
}
