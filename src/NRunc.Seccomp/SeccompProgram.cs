using System.Runtime.InteropServices;
using NRunc.Native;
using NRunc.Seccomp.Native;
using NRunc.Spec;
using static NRunc.Seccomp.SeccompNames;

namespace NRunc.Seccomp;

/// <summary>
/// A container's seccomp filter, compiled from <c>linux.seccomp</c> by libseccomp.
/// <see cref="Prepare"/> does all the work that needs libseccomp and the host's files (call it before pivot_root);
/// <see cref="Load"/> is a single seccomp(2) syscall on the program already in memory, so it works after pivot_root,
/// with no library left to open or symbol to bind. Loading the exported program ourselves (as runc's patchbpf does)
/// also lets nrunc pass filter flags the installed libseccomp predates, such as SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV.
/// </summary>
public sealed unsafe class SeccompProgram : IDisposable
{
    nint _ctx;
    byte* _bpf;
    readonly int _bpfBytes;
    bool _loaded;

    /// <summary>seccomp(2) flags <see cref="Load"/> passes (SECCOMP_FILTER_FLAG_*; NEW_LISTENER when a rule notifies).</summary>
    public uint KernelFlags { get; }

    /// <summary>True when a rule uses SCMP_ACT_NOTIFY: <see cref="Load"/> then returns the listener fd.</summary>
    public bool UsesNotify { get; }

    /// <summary><c>linux.seccomp.listenerPath</c> and <c>listenerMetadata</c>, for <see cref="SeccompNotify.SendToListener(string, string?, int, byte[])"/>.</summary>
    public string? ListenerPath { get; }
    public string? ListenerMetadata { get; }

    /// <summary>Syscall names libseccomp does not know; their rules were skipped (runc does the same).</summary>
    public IReadOnlyList<string> IgnoredSyscalls { get; }

    /// <summary>Number of BPF instructions in the program.</summary>
    public int InstructionCount => _bpfBytes / 8;

    SeccompProgram(nint ctx, byte* bpf, int bpfBytes, uint flags, bool usesNotify, string? listenerPath, string? listenerMetadata, IReadOnlyList<string> ignored)
    {
        _ctx = ctx;
        _bpf = bpf;
        _bpfBytes = bpfBytes;
        KernelFlags = flags;
        UsesNotify = usesNotify;
        ListenerPath = listenerPath;
        ListenerMetadata = listenerMetadata;
        IgnoredSyscalls = ignored;
    }

    /// <summary>
    /// A program compiled earlier (<see cref="ExportBpf"/>, <see cref="KernelFlags"/>, <see cref="UsesNotify"/>), e.g.
    /// by the parent process or a cache, ready for <see cref="Load"/> without libseccomp.
    /// </summary>
    public static SeccompProgram FromBpf(ReadOnlySpan<byte> bpf, uint kernelFlags, bool usesNotify, string? listenerPath = null, string? listenerMetadata = null)
    {
        if (bpf.Length == 0 || bpf.Length % 8 != 0 || bpf.Length / 8 > ushort.MaxValue)
            throw new SeccompException($"seccomp: a BPF program of {bpf.Length} bytes is not a whole number of 8-byte instructions (1 to 65535)");
        var mem = (byte*)NativeMemory.Alloc((nuint)bpf.Length);
        bpf.CopyTo(new Span<byte>(mem, bpf.Length));
        return new SeccompProgram(0, mem, bpf.Length, kernelFlags, usesNotify, listenerPath, listenerMetadata, []);
    }

    /// <summary>Whether <paramref name="spec"/> asks for a filter at all: like runc, a section with neither defaultAction nor syscalls means none.</summary>
    public static bool IsEnabled(LinuxSeccomp? spec) => SeccompRules.IsEnabled(spec);

    /// <summary>Checks names, actions, operators, flags and argument indexes without opening libseccomp (for `create`'s early validation).</summary>
    public static void Validate(LinuxSeccomp spec) => SeccompRules.Parse(spec);

    /// <summary>
    /// Validates <paramref name="spec"/> and compiles it with libseccomp into a BPF program held in memory.
    /// A bad entry throws <see cref="SpecException"/> naming its JSON path; a missing libseccomp or other
    /// environment problem throws <see cref="SeccompException"/>.
    /// </summary>
    public static SeccompProgram Prepare(LinuxSeccomp spec) => Compile(spec, SeccompRules.Parse(spec));

    /// <summary>
    /// As <see cref="Prepare(LinuxSeccomp)"/>, but reuses the BPF program compiled earlier for an identical section
    /// (same JSON, libseccomp version and architecture) from <paramref name="cacheDir"/>, and stores new ones there.
    /// libseccomp takes tens of milliseconds for Docker's default profile; a hit costs a hash and a file read.
    /// The directory must be private to nrunc (it is created 0700): a program read from it is loaded as is.
    /// </summary>
    public static SeccompProgram Prepare(LinuxSeccomp spec, string? cacheDir)
    {
        var rules = SeccompRules.Parse(spec);
        if (string.IsNullOrEmpty(cacheDir)) return Compile(spec, rules);
        uint flags = KernelFlagsFor(rules);
        var key = SeccompCache.Key(spec);
        if (SeccompCache.TryRead(cacheDir, key, out var bpf, out var ignored))
        {
            foreach (var name in ignored) SeccompLog.Debug?.Invoke($"unknown seccomp syscall \"{name}\" ignored");
            var mem = (byte*)NativeMemory.Alloc((nuint)bpf.Length);
            bpf.CopyTo(new Span<byte>(mem, bpf.Length));
            return new SeccompProgram(0, mem, bpf.Length, flags, rules.UsesNotify, rules.ListenerPath, rules.ListenerMetadata, ignored);
        }
        var prog = Compile(spec, rules);
        SeccompCache.Write(cacheDir, key, prog.ExportBpf(), prog.IgnoredSyscalls);
        return prog;
    }

    static SeccompProgram Compile(LinuxSeccomp spec, SeccompRules rules)
    {
        var lib = Libseccomp.Instance;
        uint flags = KernelFlagsFor(rules);

        nint ctx = lib.seccomp_init(rules.DefaultAction);
        if (ctx == 0) throw new SeccompException($"seccomp: seccomp_init failed for defaultAction {spec.DefaultAction}");
        byte* bpf = null;
        try
        {
            Configure(lib, ctx, rules, flags);
            var ignored = AddRules(lib, ctx, rules);
            int bytes = Export(lib, ctx, out bpf);
            return new SeccompProgram(ctx, bpf, bytes, flags, rules.UsesNotify, rules.ListenerPath, rules.ListenerMetadata, ignored);
        }
        catch
        {
            if (bpf != null) NativeMemory.Free(bpf);
            lib.seccomp_release(ctx);
            throw;
        }
    }

    /// <summary>
    /// The seccomp(2) flags for the config: each named flag must be known to the kernel (an error names the flags[]
    /// entry otherwise); the default SPEC_ALLOW is dropped silently where unsupported; NEW_LISTENER for notify rules.
    /// </summary>
    static uint KernelFlagsFor(SeccompRules rules)
    {
        if (rules.UsesNotify && Libseccomp.Instance.ApiLevel < 6)
            throw new SeccompException($"seccomp: SCMP_ACT_NOTIFY needs libseccomp API level 6 (libseccomp >= 2.5.0 and Linux >= 5.7), have {Libseccomp.Instance.ApiLevel} with libseccomp {Libseccomp.Instance.VersionString}");
        uint flags = 0;
        foreach (var (flag, name, path) in rules.Flags)
        {
            if (KernelSeccomp.FlagSupported(flag)) flags |= flag;
            else if (!rules.DefaultFlags)
                throw SeccompRules.Error(path, $"{name} is not supported by this kernel");
        }
        if (rules.UsesNotify) flags |= FilterFlagNewListener;
        // With TSYNC, a thread that cannot be synchronised makes seccomp() return its tid; TSYNC_ESRCH turns that
        // into a plain ESRCH error, and the kernel requires it when TSYNC is combined with a listener.
        if ((flags & FilterFlagTsync) != 0 && KernelSeccomp.FlagSupported(FilterFlagTsyncEsrch)) flags |= FilterFlagTsyncEsrch;
        else if ((flags & FilterFlagTsync) != 0 && rules.UsesNotify)
            throw SeccompRules.Error("linux.seccomp.flags", "SECCOMP_FILTER_FLAG_TSYNC with SCMP_ACT_NOTIFY needs Linux >= 5.7");
        return flags;
    }

    /// <summary>Filter attributes: the same switches seccomp_load would use, so the context and our own load agree.</summary>
    static void Configure(Libseccomp lib, nint ctx, SeccompRules rules, uint flags)
    {
        // Errors as the kernel reports them rather than libseccomp's -ECANCELED and friends (2.5.4's API_SYSRAWRC).
        lib.seccomp_attr_set(ctx, Libseccomp.AttrApiSysRawRc, 1);
        // no_new_privs belongs to process.noNewPrivileges, which the caller applies; a filter must not set it.
        int rc = lib.seccomp_attr_set(ctx, Libseccomp.AttrCtlNnp, 0);
        if (rc < 0) throw new SeccompException($"seccomp: clearing the no_new_privs attribute: {Errno.Describe(-rc)}", errno: -rc);
        // These only matter to seccomp_load; Load() passes the kernel flags itself, so a library that lacks one
        // (2.5.x has no WAITKILL attribute) is not an error.
        if ((flags & FilterFlagTsync) != 0) lib.seccomp_attr_set(ctx, Libseccomp.AttrCtlTsync, 1);
        if ((flags & FilterFlagLog) != 0) lib.seccomp_attr_set(ctx, Libseccomp.AttrCtlLog, 1);
        if ((flags & FilterFlagSpecAllow) != 0) lib.seccomp_attr_set(ctx, Libseccomp.AttrCtlSsb, 1);
        if ((flags & FilterFlagWaitKillableRecv) != 0) lib.seccomp_attr_set(ctx, Libseccomp.AttrCtlWaitKill, 1);

        foreach (var (name, libName, path) in rules.Architectures)
        {
            uint token;
            fixed (byte* p = Utf8.Z(libName)) token = lib.seccomp_arch_resolve_name(p);
            if (token == 0)
            {
                // A spec architecture this libseccomp predates (LOONGARCH64 on 2.5): its syscalls keep hitting the
                // bad-arch action (kill), which is stricter than filtering them, so skipping is safe.
                SeccompLog.Debug?.Invoke($"seccomp: architecture {name} unknown to libseccomp {lib.VersionString}, ignored");
                continue;
            }
            rc = lib.seccomp_arch_add(ctx, token);
            if (rc < 0 && rc != -Errno.EEXIST)
                throw SeccompRules.Error(path, $"adding architecture {name}: {Errno.Describe(-rc)}");
        }

        // As runc: a binary tree of syscalls for long rule sets (libseccomp <= 2.5.4 misbehaves with it and no rules,
        // so only rules that will really be added count).
        int effective = 0;
        foreach (var r in rules.Rules) if (r.Action != rules.DefaultAction) effective++;
        if (effective > 32) lib.seccomp_attr_set(ctx, Libseccomp.AttrCtlOptimize, 2);
    }

    static List<string> AddRules(Libseccomp lib, nint ctx, SeccompRules rules)
    {
        var ignored = new List<string>();
        var args = stackalloc Libseccomp.ArgCmp[SeccompRules.MaxSyscallArgs];
        foreach (var rule in rules.Rules)
        {
            // libseccomp refuses a rule whose action is the default one; it would change nothing anyway.
            if (rule.Action == rules.DefaultAction) continue;
            int nr;
            fixed (byte* p = Utf8.Z(rule.Name)) nr = lib.seccomp_syscall_resolve_name(p);
            if (nr == Libseccomp.NrScmpError)
            {
                ignored.Add(rule.Name);
                SeccompLog.Debug?.Invoke($"unknown seccomp syscall \"{rule.Name}\" ignored");
                continue;
            }
            foreach (var set in SeccompRules.ConditionSets(rule.Conditions))
            {
                for (int i = 0; i < set.Length; i++)
                    args[i] = new Libseccomp.ArgCmp { Arg = set[i].Index, Op = set[i].Op, DatumA = set[i].Value, DatumB = set[i].ValueTwo };
                int rc = lib.seccomp_rule_add_array(ctx, rule.Action, nr, (uint)set.Length, args);
                if (rc < 0)
                    throw SeccompRules.Error(rule.Path, $"libseccomp rejected the rule for syscall {rule.Name}: {Errno.Describe(-rc)}");
            }
        }
        return ignored;
    }

    /// <summary>seccomp_export_bpf into a memfd, then into unmanaged memory that stays put until Dispose.</summary>
    static int Export(Libseccomp lib, nint ctx, out byte* bpf)
    {
        bpf = null;
        int fd;
        fixed (byte* name = "nrunc-seccomp\0"u8) fd = SeccompLibc.memfd_create(name, SeccompLibc.MFD_CLOEXEC);
        NativeException.Check(fd, "memfd_create", "seccomp");
        try
        {
            int rc = lib.seccomp_export_bpf(ctx, fd);
            if (rc < 0) throw new SeccompException($"seccomp: generating the BPF program: {Errno.Describe(-rc)}", errno: -rc);
            long size = NativeException.Check(SeccompLibc.lseek(fd, 0, SeccompLibc.SEEK_CUR), "lseek", "seccomp memfd");
            if (size <= 0 || size % 8 != 0 || size / 8 > ushort.MaxValue)
                throw new SeccompException($"seccomp: libseccomp exported a BPF program of {size} bytes");
            NativeException.Check(SeccompLibc.lseek(fd, 0, SeccompLibc.SEEK_SET), "lseek", "seccomp memfd");
            bpf = (byte*)NativeMemory.Alloc((nuint)size);
            long done = 0;
            while (done < size)
            {
                var n = Libc.read(fd, bpf + done, (nint)(size - done));
                if (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                NativeException.Check((long)n, "read", "seccomp memfd");
                if (n == 0) throw new SeccompException("seccomp: short read of the exported BPF program");
                done += n;
            }
            return (int)size;
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>
    /// Installs the filter on the calling thread (on every thread of the process with SECCOMP_FILTER_FLAG_TSYNC).
    /// Needs no_new_privs on the thread or CAP_SYS_ADMIN. Returns the notify fd when a rule uses SCMP_ACT_NOTIFY,
    /// else -1. Only a syscall: safe after pivot_root. Once per program.
    /// </summary>
    public int Load()
    {
        ObjectDisposedException.ThrowIf(_bpf == null, this);
        if (_loaded) throw new InvalidOperationException("seccomp: this filter is already loaded");
        long r = KernelSeccomp.SetModeFilter(KernelFlags, _bpf, InstructionCount);
        if (r < 0) throw LoadError((int)-r);
        if ((KernelFlags & FilterFlagTsync) != 0 && !UsesNotify && r > 0)
            throw new SeccompException($"seccomp: loading the filter: thread {r} could not be synchronised (SECCOMP_FILTER_FLAG_TSYNC)", errno: Errno.ESRCH);
        _loaded = true;
        SeccompLog.Debug?.Invoke($"seccomp filter flags: {KernelFlags}");
        return UsesNotify ? (int)r : -1;
    }

    SeccompException LoadError(int errno)
    {
        var why = errno switch
        {
            Errno.EACCES => ": no_new_privs is not set and CAP_SYS_ADMIN is missing",
            Errno.EINVAL => $" (filter flags {KernelFlags})",
            Errno.ESRCH => ": another thread could not be synchronised (SECCOMP_FILTER_FLAG_TSYNC)",
            Errno.EBUSY => ": another listener is already installed (SCMP_ACT_NOTIFY)",
            _ => "",
        };
        return new SeccompException($"seccomp: loading the filter: {Errno.Describe(errno)}{why}", errno: errno);
    }

    /// <summary>Loads through libseccomp's own seccomp_load (for cross-checks in tests); returns the notify fd or -1.</summary>
    internal int LoadWithLibseccomp()
    {
        ObjectDisposedException.ThrowIf(_bpf == null, this);
        if (_ctx == 0) throw new InvalidOperationException("seccomp: a program from BPF bytes has no libseccomp context");
        var lib = Libseccomp.Instance;
        int rc = lib.seccomp_load(_ctx);
        if (rc < 0) throw LoadError(-rc);
        _loaded = true;
        return UsesNotify ? lib.seccomp_notify_fd(_ctx) : -1;
    }

    /// <summary>The BPF program (struct sock_filter[], 8 bytes each) as the kernel gets it.</summary>
    public byte[] ExportBpf()
    {
        ObjectDisposedException.ThrowIf(_bpf == null, this);
        return new ReadOnlySpan<byte>(_bpf, _bpfBytes).ToArray();
    }

    public void Dispose()
    {
        if (_ctx != 0)
        {
            Libseccomp.Instance.seccomp_release(_ctx);
            _ctx = 0;
        }
        if (_bpf != null)
        {
            NativeMemory.Free(_bpf);
            _bpf = null;
        }
        GC.SuppressFinalize(this);
    }

    ~SeccompProgram()
    {
        if (_bpf != null) NativeMemory.Free(_bpf);
        // The libseccomp context is not released from the finalizer thread: libseccomp is not thread-safe.
    }
}
