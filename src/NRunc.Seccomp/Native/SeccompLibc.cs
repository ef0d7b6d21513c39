using System.Runtime.InteropServices;

namespace NRunc.Seccomp.Native;

/// <summary>
/// The few libc calls only seccomp needs (memfd for exporting the BPF program, the seccomp syscall, the unix socket
/// to a seccomp agent). Kept here rather than in NRunc.Native so their names cannot collide with other areas' imports.
/// </summary>
internal static unsafe partial class SeccompLibc
{
    const string Lib = "libc";

    public const int MFD_CLOEXEC = 1;
    public const int SEEK_SET = 0, SEEK_CUR = 1;
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int SECCOMP_SET_MODE_FILTER = 1;

    [LibraryImport(Lib, SetLastError = true)] public static partial int memfd_create(byte* name, uint flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial long lseek(int fd, long offset, int whence);
    [LibraryImport(Lib, SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport(Lib, SetLastError = true)] public static partial int connect(int fd, SockaddrUn* addr, int len);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint sendmsg(int fd, MsgHdr* msg, int flags);

    /// <summary>struct sockaddr_un.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    /// <summary>struct msghdr (64-bit layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    /// <summary>struct cmsghdr followed by one int (CMSG_SPACE(sizeof(int)) is 24 bytes on 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgOneFd
    {
        public nuint Len;
        public int Level;
        public int Type;
        public int Fd;
        int _pad;
    }

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Len;
        public void* Filter;
    }

    /// <summary>__NR_seccomp for the running architecture.</summary>
    public static long SeccompSyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 317,
        Architecture.Arm64 => 277,
        Architecture.RiscV64 => 277,
        Architecture.LoongArch64 => 277,
        Architecture.Ppc64le => 358,
        Architecture.S390x => 348,
        Architecture.X86 => 354,
        Architecture.Arm => 383,
        _ => throw new PlatformNotSupportedException("seccomp: unknown syscall number for " + RuntimeInformation.ProcessArchitecture),
    };
}

internal static unsafe partial class SeccompLibc
{
    /// <summary>syscall(2) with three arguments (all seccomp needs).</summary>
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall(long number, long a1, long a2, nint a3);
}
