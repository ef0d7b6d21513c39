using System.Runtime.InteropServices;

namespace NRunc.Seccomp.Native;

/// <summary>
/// The system's libseccomp (libseccomp.so.2), opened explicitly with <see cref="NativeLibrary"/> and every entry point
/// resolved once, up front. Nothing is bound lazily: after the container's pivot_root the library file is no longer
/// reachable, so whatever nrunc needs from it must already be in memory. libseccomp returns negative errno values
/// instead of setting errno, so no SetLastError marshalling is involved.
/// </summary>
internal sealed unsafe class Libseccomp
{
    public const string FileName = "libseccomp.so.2";

    // enum scmp_filter_attr (seccomp.h). CtlWaitKill is libseccomp 2.6's; 2.5.x answers -EINVAL for it.
    public const int AttrActDefault = 1, AttrActBadArch = 2, AttrCtlNnp = 3, AttrCtlTsync = 4, AttrApiTskip = 5,
        AttrCtlLog = 6, AttrCtlSsb = 7, AttrCtlOptimize = 8, AttrApiSysRawRc = 9, AttrCtlWaitKill = 10;

    // enum scmp_compare
    public const int CmpNe = 1, CmpLt = 2, CmpLe = 3, CmpEq = 4, CmpGe = 5, CmpGt = 6, CmpMaskedEq = 7;

    // Action values (seccomp.h macros)
    public const uint ActKillProcess = 0x80000000U, ActKillThread = 0x00000000U, ActTrap = 0x00030000U,
        ActNotify = 0x7fc00000U, ActLog = 0x7ffc0000U, ActAllow = 0x7fff0000U;
    public static uint ActErrno(uint errno) => 0x00050000U | (errno & 0xffffU);
    public static uint ActTrace(uint msg) => 0x7ff00000U | (msg & 0xffffU);

    /// <summary>__NR_SCMP_ERROR: what seccomp_syscall_resolve_name answers for a name it does not know.</summary>
    public const int NrScmpError = -1;

    /// <summary>struct scmp_arg_cmp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    /// <summary>struct scmp_version.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Version
    {
        public uint Major, Minor, Micro;
    }

    public readonly delegate* unmanaged<Version*> seccomp_version;
    public readonly delegate* unmanaged<uint> seccomp_api_get;
    public readonly delegate* unmanaged<uint, nint> seccomp_init;
    public readonly delegate* unmanaged<nint, void> seccomp_release;
    public readonly delegate* unmanaged<byte*, uint> seccomp_arch_resolve_name;
    public readonly delegate* unmanaged<uint> seccomp_arch_native;
    public readonly delegate* unmanaged<nint, uint, int> seccomp_arch_add;
    public readonly delegate* unmanaged<nint, int, uint, int> seccomp_attr_set;
    public readonly delegate* unmanaged<nint, int, uint*, int> seccomp_attr_get;
    public readonly delegate* unmanaged<byte*, int> seccomp_syscall_resolve_name;
    public readonly delegate* unmanaged<nint, uint, int, uint, ArgCmp*, int> seccomp_rule_add_array;
    public readonly delegate* unmanaged<nint, int> seccomp_load;
    public readonly delegate* unmanaged<nint, int> seccomp_notify_fd;
    public readonly delegate* unmanaged<nint, int, int> seccomp_export_bpf;

    /// <summary>Library version as libseccomp reports it at run time.</summary>
    public readonly Version LibraryVersion;

    /// <summary>seccomp_api_get(): what this library and kernel together support (6 is needed for notify).</summary>
    public readonly uint ApiLevel;

    static Libseccomp? s_instance;
    static readonly Lock s_lock = new();

    /// <summary>The loaded library; the first call opens it and resolves every entry point.</summary>
    public static Libseccomp Instance
    {
        get
        {
            var lib = Volatile.Read(ref s_instance);
            if (lib is not null) return lib;
            lock (s_lock)
            {
                s_instance ??= new Libseccomp();
                return s_instance;
            }
        }
    }

    Libseccomp()
    {
        if (!NativeLibrary.TryLoad(FileName, out var h))
            throw new SeccompException($"seccomp: {FileName} not found: install libseccomp2");
        seccomp_version = (delegate* unmanaged<Version*>)Sym(h, "seccomp_version");
        seccomp_api_get = (delegate* unmanaged<uint>)Sym(h, "seccomp_api_get");
        seccomp_init = (delegate* unmanaged<uint, nint>)Sym(h, "seccomp_init");
        seccomp_release = (delegate* unmanaged<nint, void>)Sym(h, "seccomp_release");
        seccomp_arch_resolve_name = (delegate* unmanaged<byte*, uint>)Sym(h, "seccomp_arch_resolve_name");
        seccomp_arch_native = (delegate* unmanaged<uint>)Sym(h, "seccomp_arch_native");
        seccomp_arch_add = (delegate* unmanaged<nint, uint, int>)Sym(h, "seccomp_arch_add");
        seccomp_attr_set = (delegate* unmanaged<nint, int, uint, int>)Sym(h, "seccomp_attr_set");
        seccomp_attr_get = (delegate* unmanaged<nint, int, uint*, int>)Sym(h, "seccomp_attr_get");
        seccomp_syscall_resolve_name = (delegate* unmanaged<byte*, int>)Sym(h, "seccomp_syscall_resolve_name");
        seccomp_rule_add_array = (delegate* unmanaged<nint, uint, int, uint, ArgCmp*, int>)Sym(h, "seccomp_rule_add_array");
        seccomp_load = (delegate* unmanaged<nint, int>)Sym(h, "seccomp_load");
        seccomp_notify_fd = (delegate* unmanaged<nint, int>)Sym(h, "seccomp_notify_fd");
        seccomp_export_bpf = (delegate* unmanaged<nint, int, int>)Sym(h, "seccomp_export_bpf");

        var v = seccomp_version();
        LibraryVersion = v is null ? default : *v;
        ApiLevel = seccomp_api_get();
    }

    static nint Sym(nint handle, string name)
    {
        if (!NativeLibrary.TryGetExport(handle, name, out var p))
            throw new SeccompException($"seccomp: {FileName} has no symbol {name}: libseccomp2 is too old (2.5 or newer is needed)");
        return p;
    }

    /// <summary>"2.5.4", for messages and `features`.</summary>
    public string VersionString => $"{LibraryVersion.Major}.{LibraryVersion.Minor}.{LibraryVersion.Micro}";
}
