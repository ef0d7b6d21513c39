using NRunc.Native;

namespace NRunc.Container.State;

/// <summary>The owning uid of a path (statx), for list's OWNER column.</summary>
public static class FileOwner
{
    const int AT_FDCWD = -100;
    const uint STATX_UID = 0x8;

    public static unsafe uint Uid(string path)
    {
        Libc.Statx st;
        fixed (byte* p = Utf8.Z(path))
            NativeException.Check(Libc.statx(AT_FDCWD, p, 0, STATX_UID, &st), "statx", path);
        return st.stx_uid;
    }
}
