using System.Runtime.InteropServices;
using NRunc.Native;
using NRunc.Native.Raw;
using NRunc.Spec;

namespace NRunc.Container.Process;

/// <summary>
/// Managed settings init applies inside the container before the raw final steps (<see cref="ProcessPlan"/>), one small
/// method each, throwing <see cref="ContainerException"/> / <see cref="NativeException"/> with runc's wording.
///
/// Several of these are per-thread in Linux (personality, scheduler, I/O priority, CPU affinity, the session keyring):
/// init must call them on the thread that then runs <c>RawProgram.RunHere</c> and execs, or they are lost.
/// <see cref="ApplyThreadSettings"/> does those in runc's order. For exec (whose raw child cannot run managed code),
/// the parent can apply scheduler, I/O priority and CPU affinity to the child's pid with <see cref="ApplyToPid"/>.
/// </summary>
public static unsafe class ProcessSetup
{
    // ---- UTS ----

    /// <summary>runc's validator: hostname/domainname need a private UTS namespace.</summary>
    public static void ValidateUts(NRunc.Spec.Spec spec, bool hasUtsNamespace)
    {
        if (!string.IsNullOrEmpty(spec.Hostname) && !hasUtsNamespace)
            throw new ContainerException("unable to set hostname without a private UTS namespace");
        if (!string.IsNullOrEmpty(spec.Domainname) && !hasUtsNamespace)
            throw new ContainerException("unable to set domainname without a private UTS namespace");
    }

    public static void SetHostname(string? hostname, bool hasUtsNamespace)
    {
        if (string.IsNullOrEmpty(hostname)) return;
        if (!hasUtsNamespace) throw new ContainerException("unable to set hostname without a private UTS namespace");
        var b = System.Text.Encoding.UTF8.GetBytes(hostname);
        fixed (byte* p = b) NativeException.Check(Libc.sethostname(p, b.Length), "sethostname", hostname);
    }

    public static void SetDomainname(string? domainname, bool hasUtsNamespace)
    {
        if (string.IsNullOrEmpty(domainname)) return;
        if (!hasUtsNamespace) throw new ContainerException("unable to set domainname without a private UTS namespace");
        var b = System.Text.Encoding.UTF8.GetBytes(domainname);
        fixed (byte* p = b) NativeException.Check(Libc.setdomainname(p, b.Length), "setdomainname", domainname);
    }

    // ---- oom_score_adj ----

    /// <summary>
    /// Writes process.oomScoreAdj to this process's oom_score_adj. Lowering it needs CAP_SYS_RESOURCE (which this
    /// machine's root lacks): the error then reads like runc's "failed to update /proc/self/oom_score_adj: permission denied".
    /// </summary>
    /// <param name="pid">0 for this process; exec's parent passes the child's pid so that the write goes through the
    /// host's verified procfs instead of the container's /proc (which the container could have mounted over).</param>
    public static void SetOomScoreAdj(int? value, int pid = 0)
    {
        if (value is not int v) return;
        try
        {
            ProcFiles.Write($"{(pid > 0 ? pid : Libc.getpid())}/oom_score_adj", v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (NativeException e)
        {
            throw new ContainerException($"failed to update /proc/self/oom_score_adj: {Errno.Describe(e.Errno)}", e);
        }
    }

    // ---- LSMs ----

    static bool SelinuxEnabled() => File.Exists("/sys/fs/selinux/enforce");

    /// <summary>
    /// runc's validator for process.selinuxLabel: a label on a host without SELinux is an error. (AppArmor is not
    /// checked up front by runc 1.1: the profile write fails at init, see <see cref="ProcessPlan"/>'s LSM step.)
    /// </summary>
    public static void ValidateLsm(NRunc.Spec.Process process)
    {
        if (!string.IsNullOrEmpty(process.SelinuxLabel) && !SelinuxEnabled())
            throw new ContainerException("selinux label is specified in config, but selinux is disabled or not supported");
    }

    /// <summary>
    /// Where an exec-time AppArmor profile is written (per thread: the thread that execs): attr/apparmor/exec on kernels
    /// with LSM stacking, else attr/exec. Returns (path, contents), or null without a profile.
    /// </summary>
    public static (string Path, string Value)? AppArmorExecAttr(string? profile)
    {
        if (string.IsNullOrEmpty(profile)) return null;
        var path = Directory.Exists("/proc/self/attr/apparmor") ? "/proc/thread-self/attr/apparmor/exec" : "/proc/thread-self/attr/exec";
        return (path, "exec " + profile);
    }

    /// <summary>Applies an AppArmor profile on exec, on the calling thread (runc's apparmor.ApplyProfile).</summary>
    public static void ApplyAppArmor(string? profile)
    {
        if (AppArmorExecAttr(profile) is not var (path, value)) return;
        try
        {
            ProcFiles.Write(path.Substring("/proc/".Length).Replace("thread-self", $"{Libc.getpid()}/task/{Gettid()}"), value);
        }
        catch (NativeException e)
        {
            throw new ContainerException($"unable to apply apparmor profile: apparmor failed to apply profile: write {path.Replace("thread-self", "self")}: {Errno.Describe(e.Errno)}", e);
        }
    }

    static int Gettid() => (int)Libc.syscall(186, 0, 0, 0, 0, 0, 0);

    // ---- personality, scheduler, I/O priority, CPU affinity ----

    /// <summary>linux.personality: LINUX or LINUX32 (flags are not defined by the kernel ABI the spec names; ignored like runc).</summary>
    public static void SetPersonality(LinuxPersonality? personality)
    {
        if (personality is null) return;
        NativeException.Check(Libc.personality(Persona(personality)), "personality", personality.Domain);
    }

    /// <summary>The personality(2) value for linux.personality.domain.</summary>
    public static ulong Persona(LinuxPersonality personality) => personality.Domain switch
    {
        "LINUX" => Libc.PER_LINUX,
        "LINUX32" => Libc.PER_LINUX32,
        _ => throw new ContainerException($"invalid personality domain {personality.Domain}"),
    };

    /// <summary>linux.personality as a raw step (exec's child: personality(2) applies to the calling process only).</summary>
    public static void AppendPersonality(RawProgramBuilder b, LinuxPersonality? personality)
    {
        if (personality is null) return;
        b.Add(RawOpCode.Syscall, $"personality {personality.Domain}", 135 /* personality */, (long)Persona(personality));
    }

    /// <summary>process.scheduler as a sched_attr; throws for unknown policy or flag names.</summary>
    public static Libc.ProcessSchedAttr SchedAttr(Scheduler s)
    {
        var attr = new Libc.ProcessSchedAttr
        {
            size = (uint)sizeof(Libc.ProcessSchedAttr),
            sched_policy = s.Policy switch
            {
                "SCHED_OTHER" => Libc.SCHED_OTHER,
                "SCHED_FIFO" => Libc.SCHED_FIFO,
                "SCHED_RR" => Libc.SCHED_RR,
                "SCHED_BATCH" => Libc.SCHED_BATCH,
                "SCHED_ISO" => Libc.SCHED_ISO,
                "SCHED_IDLE" => Libc.SCHED_IDLE,
                "SCHED_DEADLINE" => Libc.SCHED_DEADLINE,
                _ => throw new ContainerException($"invalid scheduler policy: {s.Policy}"),
            },
            sched_nice = s.Nice,
            sched_priority = (uint)s.Priority,
            sched_runtime = s.Runtime,
            sched_deadline = s.Deadline,
            sched_period = s.Period,
        };
        foreach (var f in s.Flags ?? [])
        {
            attr.sched_flags |= f switch
            {
                "SCHED_FLAG_RESET_ON_FORK" => Libc.SCHED_FLAG_RESET_ON_FORK,
                "SCHED_FLAG_RECLAIM" => Libc.SCHED_FLAG_RECLAIM,
                "SCHED_FLAG_DL_OVERRUN" => Libc.SCHED_FLAG_DL_OVERRUN,
                "SCHED_FLAG_KEEP_POLICY" => Libc.SCHED_FLAG_KEEP_POLICY,
                "SCHED_FLAG_KEEP_PARAMS" => Libc.SCHED_FLAG_KEEP_PARAMS,
                "SCHED_FLAG_UTIL_CLAMP_MIN" => Libc.SCHED_FLAG_UTIL_CLAMP_MIN,
                "SCHED_FLAG_UTIL_CLAMP_MAX" => Libc.SCHED_FLAG_UTIL_CLAMP_MAX,
                _ => throw new ContainerException($"invalid scheduler flag: {f}"),
            };
        }
        return attr;
    }

    /// <summary>process.scheduler via sched_setattr(2) on <paramref name="tid"/> (0: the calling thread).</summary>
    public static void SetScheduler(Scheduler? s, int tid = 0)
    {
        if (s is null) return;
        var attr = SchedAttr(s);
        if (Libc.sched_setattr(tid, &attr, 0) < 0)
            throw new ContainerException($"error setting scheduler: {Errno.Describe(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>The ioprio value (class &lt;&lt; 13 | priority) for process.ioPriority.</summary>
    public static int IoPrioValue(LinuxIOPriority p)
    {
        int cls = p.Class switch
        {
            "IOPRIO_CLASS_RT" => Libc.IOPRIO_CLASS_RT,
            "IOPRIO_CLASS_BE" => Libc.IOPRIO_CLASS_BE,
            "IOPRIO_CLASS_IDLE" => Libc.IOPRIO_CLASS_IDLE,
            _ => throw new ContainerException($"invalid io priority class: {p.Class}"),
        };
        if (p.Priority < 0 || p.Priority > 7) throw new ContainerException($"invalid io priority: {p.Priority} (must be 0-7)");
        return cls << Libc.IOPRIO_CLASS_SHIFT | p.Priority;
    }

    /// <summary>process.ioPriority via ioprio_set(IOPRIO_WHO_PROCESS, <paramref name="tid"/>) (0: the calling thread).</summary>
    public static void SetIoPriority(LinuxIOPriority? p, int tid = 0)
    {
        if (p is null) return;
        if (Libc.ioprio_set(Libc.IOPRIO_WHO_PROCESS, tid, IoPrioValue(p)) < 0)
            throw new ContainerException($"failed to set io priority: {Errno.Describe(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>Applies a CPU list ("0-3,7") with sched_setaffinity to <paramref name="tid"/> (0: the calling thread).</summary>
    public static void SetCpuAffinity(string? cpus, string field, int tid = 0)
    {
        if (string.IsNullOrEmpty(cpus)) return;
        var mask = CpuList.Parse(cpus, field);
        fixed (ulong* m = mask)
            if (Libc.sched_setaffinity(tid, mask.Length * 8, m) < 0)
                throw new ContainerException($"error setting {field} to {ExecLookup.GoQuote(cpus)}: {Errno.Describe(Marshal.GetLastPInvokeError())}");
    }

    // ---- keyring ----

    /// <summary>runc's session keyring name for a container.</summary>
    public static string SessionKeyringName(string containerId) => "_ses." + containerId;

    /// <summary>
    /// Joins a new session keyring named "_ses.ID" (unless --no-new-keyring) so the container does not share the
    /// caller's keys, then makes it searchable (by "other" in a user namespace, by the possessor's uid otherwise), as
    /// runc does. ENOSYS (no keyring support) is ignored like runc. Per thread: call on the exec thread.
    /// </summary>
    public static void JoinSessionKeyring(string containerId, bool userNamespace)
    {
        var name = Utf8.Z(SessionKeyringName(containerId));
        long id;
        fixed (byte* n = name) id = Libc.keyctl(Libc.KEYCTL_JOIN_SESSION_KEYRING, (long)n, 0, 0, 0);
        if (id < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e == Errno.ENOSYS) return;
            throw new ContainerException($"unable to join session keyring: {Errno.Describe(e)}");
        }
        uint add = userNamespace ? 0x8u : 0x80000u;
        byte* buf = stackalloc byte[512];
        long len = Libc.keyctl(Libc.KEYCTL_DESCRIBE, id, (long)buf, 512, 0);
        if (len < 0) throw new ContainerException($"unable to mod keyring permissions: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        var desc = System.Text.Encoding.UTF8.GetString(buf, (int)Math.Min(len, 512)).TrimEnd('\0');
        var parts = desc.Split(';');
        if (parts.Length < 4 || !uint.TryParse(parts[3], System.Globalization.NumberStyles.HexNumber, null, out uint perm))
            throw new ContainerException($"unable to mod keyring permissions: unexpected key description {ExecLookup.GoQuote(desc)}");
        if (Libc.keyctl(Libc.KEYCTL_SETPERM, id, perm | add, 0, 0) < 0)
            throw new ContainerException($"unable to mod keyring permissions: {Errno.Describe(Marshal.GetLastPInvokeError())}");
    }

    // ---- all per-thread settings, in order ----

    /// <summary>What <see cref="ApplyThreadSettings"/> needs beyond the process.</summary>
    public readonly record struct ThreadSettingsOptions(string ContainerId, bool NoNewKeyring, bool UserNamespace);

    /// <summary>
    /// Init, on the thread that will exec, just before building/running the raw steps: session keyring, personality,
    /// scheduler, I/O priority, execCPUAffinity.final (init is already in its cgroup; "initial" is the parent's job before
    /// the cgroup move, see <see cref="ApplyToPid"/>), AppArmor profile.
    /// </summary>
    public static void ApplyThreadSettings(NRunc.Spec.Process process, LinuxPersonality? personality, ThreadSettingsOptions o)
    {
        if (!o.NoNewKeyring) JoinSessionKeyring(o.ContainerId, o.UserNamespace);
        SetPersonality(personality);
        SetScheduler(process.Scheduler);
        SetIoPriority(process.IOPriority);
        SetCpuAffinity(process.ExecCpuAffinity?.Final, "execCPUAffinity.final");
        ApplyAppArmor(process.ApparmorProfile);
    }

    /// <summary>
    /// For exec's raw child (or init from the parent side): scheduler, I/O priority and one execCPUAffinity list applied
    /// to <paramref name="pid"/> (a single-threaded child, so pid = its only thread). Call with initial affinity before
    /// the cgroup move and with <paramref name="affinityFinal"/> after it.
    /// </summary>
    public static void ApplyToPid(int pid, NRunc.Spec.Process process, bool affinityFinal)
    {
        SetScheduler(process.Scheduler, pid);
        SetIoPriority(process.IOPriority, pid);
        var a = process.ExecCpuAffinity;
        if (affinityFinal) SetCpuAffinity(a?.Final, "execCPUAffinity.final", pid);
        else SetCpuAffinity(a?.Initial, "execCPUAffinity.initial", pid);
    }

    // ---- cwd, stdio, HOME ----

    /// <summary>
    /// runc's first chdir attempt, in managed init (all capabilities held), with the CVE-2024-21626 check that the new
    /// cwd is inside the container's root. Returns the <see cref="CwdStep"/> for the plan: AlreadyDone, or
    /// AfterUserSwitch when the attempt failed with EACCES/EPERM (a directory only the container user may enter).
    /// </summary>
    public static CwdStep EnterCwd(string cwd)
    {
        if (string.IsNullOrEmpty(cwd)) return CwdStep.AlreadyDone;
        if (cwd[0] != '/') throw new ContainerException("Cwd must be an absolute path");
        int r;
        fixed (byte* p = Utf8.Z(cwd)) r = Libc.RootfsChdir(p);
        if (r < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e is Errno.EACCES or Errno.EPERM) return CwdStep.AfterUserSwitch;
            throw new ContainerException($"chdir to cwd ({ExecLookup.GoQuote(cwd)}) set in config.json failed: {Errno.Describe(e)}");
        }
        VerifyCwd();
        return CwdStep.AlreadyDone;
    }

    /// <summary>Fails when the cwd is not reachable from the root (getcwd reports "(unreachable)" or ENOENT): a leaked host fd was entered.</summary>
    public static void VerifyCwd()
    {
        byte* buf = stackalloc byte[4096];
        long n = Libc.syscall(79 /* getcwd */, (long)buf, 4096, 0, 0, 0, 0);
        if ((n < 0 && Marshal.GetLastPInvokeError() == Errno.ENOENT) || (n > 0 && buf[0] != (byte)'/'))
            throw new ContainerException("current working directory is outside of container mount namespace root -- possible container breakout detected");
        if (n < 0) throw new NativeException("getcwd", null, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// runc's fixStdioPermissions: chown stdio fds to the container user (so a console is usable by a non-root user),
    /// except /dev/null and fds already owned by that uid; EINVAL, EPERM and EROFS are ignored like runc.
    /// </summary>
    public static void FixStdioPermissions(uint uid)
    {
        Libc.Statx nul;
        bool haveNull;
        fixed (byte* p = "/dev/null\0"u8) haveNull = Libc.statx(Libc.AT_FDCWD, p, 0, Libc.STATX_BASIC_STATS, &nul) == 0;
        for (int fd = 0; fd < 3; fd++)
        {
            Libc.Statx st;
            fixed (byte* e = "\0"u8)
                if (Libc.statx(fd, e, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, &st) < 0)
                {
                    int err = Marshal.GetLastPInvokeError();
                    if (err == Errno.EBADF) continue;
                    throw new NativeException("fstat", $"fd {fd}", err);
                }
            if (st.stx_uid == uid) continue;
            if (haveNull && (st.stx_mode & Libc.S_IFMT) == Libc.S_IFCHR && st.stx_rdev_major == nul.stx_rdev_major && st.stx_rdev_minor == nul.stx_rdev_minor) continue;
            if (Libc.fchown(fd, (int)uid, (int)st.stx_gid) < 0)
            {
                int err = Marshal.GetLastPInvokeError();
                if (err is Errno.EINVAL or Errno.EPERM or Errno.EROFS) continue;
                throw new NativeException("fchown", $"fd {fd}", err);
            }
        }
    }

    /// <summary>
    /// runc sets HOME when process.env has none: the home of <paramref name="uid"/> in the container's /etc/passwd,
    /// else "/". <paramref name="passwd"/> is that file's text (null when it does not exist).
    /// </summary>
    public static List<string> WithHome(IReadOnlyList<string> env, uint uid, string? passwd)
    {
        var result = new List<string>(env);
        foreach (var e in env)
            if (e.StartsWith("HOME=", StringComparison.Ordinal) && e.Length > 5) return result;
        string home = "/";
        if (passwd is not null)
        {
            foreach (var line in passwd.Split('\n'))
            {
                var f = line.Split(':');
                if (f.Length >= 6 && uint.TryParse(f[2], out uint u) && u == uid && f[5].Length > 0) { home = f[5]; break; }
            }
        }
        result.RemoveAll(e => e.StartsWith("HOME=", StringComparison.Ordinal));
        result.Add("HOME=" + home);
        return result;
    }

    /// <summary>Reads etc/passwd inside <paramref name="rootFd"/> (RESOLVE_IN_ROOT), or "/etc/passwd" with AT_FDCWD after pivot_root; null when absent.</summary>
    public static string? ReadPasswd(int rootFd = Libc.AT_FDCWD)
    {
        int fd;
        if (rootFd == Libc.AT_FDCWD)
        {
            fixed (byte* p = "/etc/passwd\0"u8) fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        }
        else
        {
            var how = new Libc.OpenHow { flags = (ulong)(Libc.O_RDONLY | Libc.O_CLOEXEC), resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS };
            fixed (byte* p = "etc/passwd\0"u8) fd = Libc.openat2(rootFd, p, &how);
        }
        if (fd < 0) return null;
        try
        {
            var ms = new MemoryStream();
            byte* buf = stackalloc byte[8192];
            while (true)
            {
                nint n = Libc.read(fd, buf, 8192);
                if (n <= 0 || ms.Length > 4 << 20) break;
                ms.Write(new ReadOnlySpan<byte>(buf, (int)n));
            }
            return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
