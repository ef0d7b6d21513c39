using static NRunc.Native.Libc;

namespace NRunc.Container.Rootfs;

/// <summary>
/// A mount's options (config.json mounts[].options) split the way mount(2) needs them: flags to set, propagation
/// changes applied afterwards, recursive attributes for mount_setattr(AT_RECURSIVE), id-mapping requests, and
/// whatever is left as the filesystem's data string. Options are applied in order, so "ro,rw" ends read-write.
/// </summary>
public sealed class MountOptions
{
    /// <summary>mount(2) flags without propagation.</summary>
    public ulong Flags { get; private set; }
    /// <summary>Flags the options explicitly cleared (rw, suid, dev, exec, atime...): a remount must not re-add them.</summary>
    public ulong Cleared { get; private set; }
    /// <summary>MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE (with MS_REC), applied one by one after the mount.</summary>
    public List<ulong> Propagation { get; } = [];
    /// <summary>MOUNT_ATTR_* to set and clear recursively (rro, rnosuid, ...).</summary>
    public ulong RecAttrSet { get; private set; }
    public ulong RecAttrClr { get; private set; }
    /// <summary>"idmap" or "ridmap": an id-mapped mount (recursive for ridmap).</summary>
    public bool IdMap { get; private set; }
    public bool RecursiveIdMap { get; private set; }
    /// <summary>runc's tmpcopyup: copy the destination's content into the new tmpfs.</summary>
    public bool TmpCopyUp { get; private set; }
    /// <summary>Unknown options, comma-joined, passed to the filesystem (size=, mode=, lowerdir=, ...).</summary>
    public string Data { get; private set; } = "";

    public bool IsBind => (Flags & MS_BIND) != 0;
    public bool IsRecursiveBind => (Flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC);
    /// <summary>Whether any atime option was given (otherwise a bind remount keeps the source's atime mode).</summary>
    public bool AtimeGiven { get; private set; }

    const ulong AtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        var o = new MountOptions();
        var data = new List<string>();
        if (options is null) return o;
        foreach (var raw in options)
        {
            var opt = raw.Trim();
            if (opt.Length == 0) continue;
            if (FlagOption(opt, out var set, out var clear))
            {
                if ((set & AtimeFlags) != 0 || (clear & AtimeFlags) != 0) o.AtimeGiven = true;
                // An atime mode replaces the previous one (they are exclusive in the kernel).
                if ((set & AtimeFlags) != 0) o.Flags &= ~AtimeFlags;
                o.Flags = (o.Flags & ~clear) | set;
                o.Cleared = (o.Cleared & ~set) | clear;
                continue;
            }
            var prop = PropagationOption(opt);
            if (prop != 0) { o.Propagation.Add(prop); continue; }
            if (RecursiveAttrOption(opt, out var aset, out var aclr))
            {
                if ((aset & MOUNT_ATTR__ATIME) != 0 || aclr == MOUNT_ATTR__ATIME)
                {
                    // Changing the atime mode requires clearing the whole atime field.
                    o.RecAttrClr |= MOUNT_ATTR__ATIME;
                    o.RecAttrSet &= ~MOUNT_ATTR__ATIME;
                }
                o.RecAttrSet = (o.RecAttrSet & ~aclr) | aset;
                o.RecAttrClr = (o.RecAttrClr & ~aset) | aclr;
                continue;
            }
            switch (opt)
            {
                case "idmap": o.IdMap = true; continue;
                case "ridmap": o.IdMap = true; o.RecursiveIdMap = true; continue;
                case "tmpcopyup": o.TmpCopyUp = true; continue;
            }
            data.Add(opt);
        }
        o.Data = string.Join(',', data);
        return o;
    }

    /// <summary>Options that map to mount(2) flags, as runc's mountFlags table (set, or clear for the negation).</summary>
    public static bool FlagOption(string opt, out ulong set, out ulong clear)
    {
        set = 0; clear = 0;
        switch (opt)
        {
            case "defaults": return true;
            case "ro": set = MS_RDONLY; return true;
            case "rw": clear = MS_RDONLY; return true;
            case "nosuid": set = MS_NOSUID; return true;
            case "suid": clear = MS_NOSUID; return true;
            case "nodev": set = MS_NODEV; return true;
            case "dev": clear = MS_NODEV; return true;
            case "noexec": set = MS_NOEXEC; return true;
            case "exec": clear = MS_NOEXEC; return true;
            case "sync": set = MS_SYNCHRONOUS; return true;
            case "async": clear = MS_SYNCHRONOUS; return true;
            case "dirsync": set = MS_DIRSYNC; return true;
            case "remount": set = MS_REMOUNT; return true;
            case "mand": set = MS_MANDLOCK; return true;
            case "nomand": clear = MS_MANDLOCK; return true;
            case "noatime": set = MS_NOATIME; return true;
            case "atime": clear = MS_NOATIME; return true;
            case "nodiratime": set = MS_NODIRATIME; return true;
            case "diratime": clear = MS_NODIRATIME; return true;
            case "relatime": set = MS_RELATIME; return true;
            case "norelatime": clear = MS_RELATIME; return true;
            case "strictatime": set = MS_STRICTATIME; return true;
            case "nostrictatime": clear = MS_STRICTATIME; return true;
            case "nosymfollow": set = MS_NOSYMFOLLOW; return true;
            case "symfollow": clear = MS_NOSYMFOLLOW; return true;
            case "lazytime": set = MS_LAZYTIME; return true;
            case "nolazytime": clear = MS_LAZYTIME; return true;
            case "iversion": set = 1 << 23; return true;
            case "noiversion": clear = 1 << 23; return true;
            case "silent": set = MS_SILENT; return true;
            case "loud": clear = MS_SILENT; return true;
            case "bind": set = MS_BIND; return true;
            case "rbind": set = MS_BIND | MS_REC; return true;
            default: return false;
        }
    }

    public static ulong PropagationOption(string opt) => opt switch
    {
        "private" => MS_PRIVATE,
        "rprivate" => MS_PRIVATE | MS_REC,
        "shared" => MS_SHARED,
        "rshared" => MS_SHARED | MS_REC,
        "slave" => MS_SLAVE,
        "rslave" => MS_SLAVE | MS_REC,
        "unbindable" => MS_UNBINDABLE,
        "runbindable" => MS_UNBINDABLE | MS_REC,
        _ => 0,
    };

    /// <summary>runc 1.2's recursive options (mount_setattr with AT_RECURSIVE).</summary>
    public static bool RecursiveAttrOption(string opt, out ulong set, out ulong clear)
    {
        set = 0; clear = 0;
        switch (opt)
        {
            case "rro": set = MOUNT_ATTR_RDONLY; return true;
            case "rrw": clear = MOUNT_ATTR_RDONLY; return true;
            case "rnosuid": set = MOUNT_ATTR_NOSUID; return true;
            case "rsuid": clear = MOUNT_ATTR_NOSUID; return true;
            case "rnodev": set = MOUNT_ATTR_NODEV; return true;
            case "rdev": clear = MOUNT_ATTR_NODEV; return true;
            case "rnoexec": set = MOUNT_ATTR_NOEXEC; return true;
            case "rexec": clear = MOUNT_ATTR_NOEXEC; return true;
            case "rnodiratime": set = MOUNT_ATTR_NODIRATIME; return true;
            case "rdiratime": clear = MOUNT_ATTR_NODIRATIME; return true;
            case "rrelatime": set = MOUNT_ATTR_RELATIME; clear = MOUNT_ATTR__ATIME; return true;
            case "rnorelatime": clear = MOUNT_ATTR__ATIME; return true;
            case "rnoatime": set = MOUNT_ATTR_NOATIME; clear = MOUNT_ATTR__ATIME; return true;
            case "ratime": clear = MOUNT_ATTR__ATIME; return true;
            case "rstrictatime": set = MOUNT_ATTR_STRICTATIME; clear = MOUNT_ATTR__ATIME; return true;
            case "rnostrictatime": clear = MOUNT_ATTR__ATIME; return true;
            case "rnosymfollow": set = MOUNT_ATTR_NOSYMFOLLOW; return true;
            case "rsymfollow": clear = MOUNT_ATTR_NOSYMFOLLOW; return true;
            default: return false;
        }
    }

    /// <summary>statfs f_flags → the MS_* flags a bind remount must keep (locked in a user namespace).</summary>
    public static ulong LockedFlagsFromStatfs(long f)
    {
        ulong r = 0;
        if ((f & ST_RDONLY) != 0) r |= MS_RDONLY;
        if ((f & ST_NOSUID) != 0) r |= MS_NOSUID;
        if ((f & ST_NODEV) != 0) r |= MS_NODEV;
        if ((f & ST_NOEXEC) != 0) r |= MS_NOEXEC;
        if ((f & ST_NOATIME) != 0) r |= MS_NOATIME;
        if ((f & ST_NODIRATIME) != 0) r |= MS_NODIRATIME;
        if ((f & ST_RELATIME) != 0) r |= MS_RELATIME;
        if ((f & ST_NOSYMFOLLOW) != 0) r |= MS_NOSYMFOLLOW;
        return r;
    }
}
