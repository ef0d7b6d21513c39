using System.Runtime.InteropServices;

namespace NRunc.Native;

// Calls the containerd shim (src/Shim) makes: posix_spawn to start the runtime, its own daemon and loggers without
// forking managed code; wait4 for its reaper; the child subreaper bit; eventfd for cgroup v1 OOM notifications.
// Names carry a Shim prefix so other areas can add their own wrappers without clashes.
public static unsafe partial class Libc
{
    public const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    public const int PR_SET_CHILD_SUBREAPER = 36, ECHILD_SHIM = 10, F_GETFL = 3, F_SETFL = 4;
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>Opaque glibc objects: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128.</summary>
    public const int ShimSpawnActionsSize = 256, ShimSpawnAttrSize = 512, ShimSigsetSize = 128;

    [LibraryImport(Lib, EntryPoint = "posix_spawn")]
    public static partial int ShimPosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_init")] public static partial int ShimSpawnActionsInit(void* fa);
    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_destroy")] public static partial int ShimSpawnActionsDestroy(void* fa);
    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_adddup2")] public static partial int ShimSpawnActionsDup2(void* fa, int fd, int newfd);
    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_addchdir_np")] public static partial int ShimSpawnActionsChdir(void* fa, byte* path);
    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_init")] public static partial int ShimSpawnAttrInit(void* attr);
    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_destroy")] public static partial int ShimSpawnAttrDestroy(void* attr);
    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setflags")] public static partial int ShimSpawnAttrSetFlags(void* attr, short flags);
    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setsigmask")] public static partial int ShimSpawnAttrSetSigmask(void* attr, void* set);
    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setsigdefault")] public static partial int ShimSpawnAttrSetSigdefault(void* attr, void* set);
    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setpgroup")] public static partial int ShimSpawnAttrSetPgroup(void* attr, int pgroup);
    [LibraryImport(Lib, EntryPoint = "sigemptyset")] public static partial int ShimSigEmpty(void* set);
    [LibraryImport(Lib, EntryPoint = "sigfillset")] public static partial int ShimSigFill(void* set);
    [LibraryImport(Lib, EntryPoint = "wait4", SetLastError = true)] public static partial int ShimWait4(int pid, int* status, int options, void* rusage);
    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)] public static partial int ShimPrctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);
    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)] public static partial int ShimEventfd(uint initval, int flags);

    // cgroup v2 OOM notification: inotify on memory.events (the kernel has no eventfd interface there).
    public const int IN_CLOEXEC = 0x80000;
    public const uint IN_MODIFY = 0x2, IN_IGNORED = 0x8000;
    [LibraryImport(Lib, EntryPoint = "inotify_init1", SetLastError = true)] public static partial int ShimInotifyInit(int flags);
    [LibraryImport(Lib, EntryPoint = "inotify_add_watch", SetLastError = true)] public static partial int ShimInotifyAddWatch(int fd, byte* path, uint mask);
}

public static unsafe partial class Libc
{
    public const int MADV_RANDOM = 1, MADV_DONTNEED = 4;
    [LibraryImport(Lib, EntryPoint = "madvise", SetLastError = true)] public static partial int ShimMadvise(void* addr, nuint length, int advice);
}
