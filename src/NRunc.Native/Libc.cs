using System.Runtime.InteropServices;

namespace NRunc.Native;

/// <summary>
/// libc entry points. One partial file per concern (Libc.Files.cs, Libc.Mount.cs, ...). Every import sets errno
/// (SetLastError) so wrappers can throw <see cref="NativeException"/> with the call and path. Only blittable
/// parameters: strings are passed as UTF-8 byte pointers built by the caller (see <see cref="Utf8"/>).
/// </summary>
public static unsafe partial class Libc
{
    const string Lib = "libc";

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport(Lib, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] public static partial int open(byte* path, int flags, int mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int openat(int dirfd, byte* path, int flags, int mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int getpid();
    [LibraryImport(Lib, SetLastError = true)] public static partial int kill(int pid, int sig);
}

/// <summary>NUL-terminated UTF-8 for native calls, allocated on the caller's stack or heap.</summary>
public static class Utf8
{
    /// <summary>UTF-8 bytes of <paramref name="s"/> with a trailing NUL, ready to be pinned with <c>fixed</c>.</summary>
    public static byte[] Z(string s)
    {
        var n = System.Text.Encoding.UTF8.GetByteCount(s);
        var b = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(s, b);
        return b;
    }
}
