using System.Diagnostics;
using NRunc.Seccomp;
using NRunc.Spec;
using Xunit;
using Xunit.Abstractions;

namespace NRunc.Tests.Seccomp;

/// <summary>
/// Real filters in the real kernel. Each load happens on a fresh thread without TSYNC, so only that thread is
/// filtered; the test then checks the effect there and its absence on the test's own thread.
/// </summary>
public class SeccompLoadTests(ITestOutputHelper output)
{
    const int EPERM = 1, EBADF = 9, EACCES = 13, EEXIST = 17, ENOMSG = 42;

    static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "nrunc-seccomp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    static LinuxSeccomp DenyMkdir(uint? errno = null) => new()
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Flags = [],
        Syscalls = [new() { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = errno }],
    };

    [Fact]
    public void ErrnoRuleAppliesToTheLoadingThreadOnly()
    {
        var dir = TempDir();
        try
        {
            using var prog = SeccompProgram.Prepare(DenyMkdir());
            Assert.Equal(0u, prog.KernelFlags);
            var (fd, mode, err) = FilteredThread.Run(() =>
            {
                int fd = prog.Load();
                return (fd, SeccompTestNative.SeccompMode(), SeccompTestNative.Mkdir(Path.Combine(dir, "denied")));
            });
            Assert.Equal(-1, fd);
            Assert.Equal(2, mode);                 // SECCOMP_MODE_FILTER on that thread
            Assert.Equal(EPERM, err);              // SCMP_ACT_ERRNO defaults to EPERM
            Assert.False(Directory.Exists(Path.Combine(dir, "denied")));
            Assert.Equal(0, SeccompTestNative.SeccompMode());
            Assert.Equal(0, SeccompTestNative.Mkdir(Path.Combine(dir, "allowed")));
            Assert.Throws<InvalidOperationException>(() => prog.Load());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void LoadNeedsNoFilesystem()
    {
        // As after pivot_root: the loading thread is chrooted into an empty directory, where neither libseccomp nor
        // anything else is reachable. Load is a single syscall on the program prepared before.
        var dir = TempDir();
        try
        {
            using var prog = SeccompProgram.Prepare(DenyMkdir());
            var (chroot, mode, err) = FilteredThread.Run(() =>
            {
                int c = SeccompTestNative.ChrootThread(dir);
                if (c != 0) return (c, -1, -1);
                prog.Load();
                return (0, SeccompTestNative.SeccompMode(), SeccompTestNative.Mkdir("/inside"));
            });
            Assert.Equal(0, chroot);
            Assert.Equal(2, mode);
            Assert.Equal(EPERM, err);
            Assert.False(Directory.Exists(Path.Combine(dir, "inside")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ErrnoRetAndLibseccompLoadAgree()
    {
        var dir = TempDir();
        try
        {
            using var a = SeccompProgram.Prepare(DenyMkdir(EACCES));
            using var b = SeccompProgram.Prepare(DenyMkdir(EACCES));
            Assert.Equal(a.ExportBpf(), b.ExportBpf());
            Assert.Equal(EACCES, FilteredThread.Run(() => { a.Load(); return SeccompTestNative.Mkdir(Path.Combine(dir, "x")); }));
            Assert.Equal(EACCES, FilteredThread.Run(() => { b.LoadWithLibseccomp(); return SeccompTestNative.Mkdir(Path.Combine(dir, "y")); }));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ArgumentConditionsLikeRunc()
    {
        // dup2(1000, 2000) only: two different arguments are ANDed in one rule.
        // dup(1000) or dup(1001): two conditions on one argument become two rules (OR), as runc does.
        // dup(fd) for fd & 0xff000 == 0x3000 (12288..16383): MASKED_EQ takes the mask in value and the result in valueTwo.
        var spec = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Flags = [],
            Syscalls =
            [
                new() { Names = ["dup2"], Action = "SCMP_ACT_ERRNO", ErrnoRet = ENOMSG, Args =
                    [new() { Index = 0, Value = 1000, Op = "SCMP_CMP_EQ" }, new() { Index = 1, Value = 2000, Op = "SCMP_CMP_EQ" }] },
                new() { Names = ["dup"], Action = "SCMP_ACT_ERRNO", ErrnoRet = ENOMSG, Args =
                    [new() { Index = 0, Value = 1000, Op = "SCMP_CMP_EQ" }, new() { Index = 0, Value = 1001, Op = "SCMP_CMP_EQ" }] },
                new() { Names = ["dup"], Action = "SCMP_ACT_ERRNO", ErrnoRet = EEXIST, Args =
                    [new() { Index = 0, Value = 0xff000, ValueTwo = 0x3000, Op = "SCMP_CMP_MASKED_EQ" }] },
                new() { Names = ["dup"], Action = "SCMP_ACT_ERRNO", ErrnoRet = EACCES, Args =
                    [new() { Index = 0, Value = 100000, Op = "SCMP_CMP_GT" }] },
            ],
        };
        using var prog = SeccompProgram.Prepare(spec);
        var r = FilteredThread.Run(() =>
        {
            prog.Load();
            return new[]
            {
                SeccompTestNative.Dup2(1000, 2000), SeccompTestNative.Dup2(1000, 2001), SeccompTestNative.Dup2(1001, 2000),
                SeccompTestNative.Dup(1000), SeccompTestNative.Dup(1001), SeccompTestNative.Dup(1002),
                SeccompTestNative.Dup(0x3010), SeccompTestNative.Dup(0x4010), SeccompTestNative.Dup(200000),
            };
        });
        Assert.Equal(new[] { ENOMSG, EBADF, EBADF, ENOMSG, ENOMSG, EBADF, EEXIST, EBADF, EACCES }, r);
    }

    [Fact]
    public void TraceWithoutTracerAndLogAndAllow()
    {
        // SCMP_ACT_TRACE with no tracer attached fails the call with ENOSYS; SCMP_ACT_LOG lets it run (and logs it);
        // an ALLOW rule under an ERRNO rule for the same syscall with a narrower argument wins only for that argument.
        var dir = TempDir();
        try
        {
            var spec = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Flags = [],
                Syscalls =
                [
                    new() { Names = ["dup"], Action = "SCMP_ACT_TRACE" },
                    new() { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_LOG" },
                    new() { Names = ["dup2"], Action = "SCMP_ACT_ERRNO", ErrnoRet = ENOMSG, Args = [new() { Index = 1, Value = 2000, Op = "SCMP_CMP_LE" }] },
                ],
            };
            using var prog = SeccompProgram.Prepare(spec);
            var r = FilteredThread.Run(() =>
            {
                prog.Load();
                return new[]
                {
                    SeccompTestNative.Dup(1000), SeccompTestNative.Mkdir(Path.Combine(dir, "logged")),
                    SeccompTestNative.Dup2(1000, 2000), SeccompTestNative.Dup2(1000, 2001),
                };
            });
            Assert.Equal(new[] { 38 /* ENOSYS */, 0, ENOMSG, EBADF }, r);
            Assert.True(Directory.Exists(Path.Combine(dir, "logged")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FlagsBecomeKernelFlags()
    {
        var spec = DenyMkdir();
        spec.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"];
        using var prog = SeccompProgram.Prepare(spec);
        Assert.Equal(2u | 4u | 1u | 16u, prog.KernelFlags);   // LOG, SPEC_ALLOW, TSYNC (+TSYNC_ESRCH)

        spec.Flags = null;                                      // absent: SPEC_ALLOW by default, as runc 1.2+
        using var dflt = SeccompProgram.Prepare(spec);
        Assert.Equal(4u, dflt.KernelFlags);

        spec.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];
        using var loaded = SeccompProgram.Prepare(spec);
        var dir = TempDir();
        try
        {
            Assert.Equal(EPERM, FilteredThread.Run(() => { loaded.Load(); return SeccompTestNative.Mkdir(Path.Combine(dir, "x")); }));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UnknownSyscallsAreSkipped()
    {
        var spec = DenyMkdir();
        spec.Syscalls![0].Names.Add("no_such_syscall_at_all");
        var logged = new List<string>();
        SeccompLog.Debug = logged.Add;
        try
        {
            using var prog = SeccompProgram.Prepare(spec);
            Assert.Equal(["no_such_syscall_at_all"], prog.IgnoredSyscalls);
        }
        finally
        {
            SeccompLog.Debug = null;
        }
        Assert.Contains(logged, m => m.Contains("no_such_syscall_at_all"));
    }

    [Fact]
    public void NotifyReturnsListenerFdAndSendsItToTheAgent()
    {
        var dir = TempDir();
        var sockPath = Path.Combine(dir, "agent.sock");
        try
        {
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(sockPath));
            listener.Listen(1);

            var spec = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],   // beyond libseccomp 2.5.4: nrunc passes it to the kernel itself
                ListenerPath = sockPath,
                ListenerMetadata = "MKNOD=/dev/null",
                Syscalls = [new() { Names = ["mkdirat", "mkdir"], Action = "SCMP_ACT_NOTIFY" }],
            };
            using var prog = SeccompProgram.Prepare(spec);
            Assert.True(prog.UsesNotify);
            Assert.Equal(8u | 32u, prog.KernelFlags);                 // NEW_LISTENER | WAIT_KILLABLE_RECV
            int fd = FilteredThread.Run(prog.Load);
            Assert.True(fd > 2);
            Assert.Equal("anon_inode:seccomp notify", SeccompTestNative.ReadLink($"/proc/self/fd/{fd}"));

            var state = """{"ociVersion":"1.3.0","id":"c1","status":"creating","pid":4242,"bundle":"/b"}"""u8.ToArray();
            var accept = listener.AcceptAsync();
            SeccompNotify.SendToListener(sockPath, prog.ListenerMetadata, fd, state);
            using var conn = accept.Result;
            var (data, fds) = SeccompTestNative.Receive((int)conn.Handle);
            SeccompTestNative.Close(fd);
            Assert.Single(fds);
            try
            {
                Assert.Equal("anon_inode:seccomp notify", SeccompTestNative.ReadLink($"/proc/self/fd/{fds[0]}"));
            }
            finally
            {
                SeccompTestNative.Close(fds[0]);
            }
            Assert.Equal(
                """{"ociVersion":"1.3.0","fds":["seccompFd"],"pid":4242,"metadata":"MKNOD=/dev/null","state":{"ociVersion":"1.3.0","id":"c1","status":"creating","pid":4242,"bundle":"/b"}}""",
                System.Text.Encoding.UTF8.GetString(data));
            Assert.Equal(0, conn.Receive(new byte[16]));               // one state per connection, then closed
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SendToMissingAgentNamesTheSocket()
    {
        var e = Assert.Throws<SeccompException>(() =>
            SeccompNotify.SendToListener("/nonexistent/agent.sock", null, 0, """{"pid":1}"""u8.ToArray()));
        Assert.Contains("/nonexistent/agent.sock", e.Message);
        Assert.Equal(2, e.Errno);
    }

    [Fact]
    public void DockerDefaultProfileLoadsAndDenies()
    {
        var profile = DockerProfile.Load();
        var dir = TempDir();
        try
        {
            // Warm-up (JIT, libseccomp open), then the numbers that matter for `create`.
            SeccompProgram.Prepare(profile).Dispose();
            const int n = 20;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) SeccompProgram.Prepare(profile).Dispose();
            double prepareMs = sw.Elapsed.TotalMilliseconds / n;

            using var prog = SeccompProgram.Prepare(profile);
            var (loadMs, unshare, mkdir) = FilteredThread.Run(() =>
            {
                var t = Stopwatch.StartNew();
                prog.Load();
                double ms = t.Elapsed.TotalMilliseconds;
                // Docker denies unshare (no CAP_SYS_ADMIN) with EPERM and allows mkdir.
                long r = NRunc.Native.Libc.syscall(272 /* unshare */, 0x00020000 /* CLONE_NEWNS */, 0, 0, 0, 0, 0);
                int e = r < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
                return (ms, e, SeccompTestNative.Mkdir(Path.Combine(dir, "ok")));
            });
            Assert.Equal(EPERM, unshare);
            Assert.Equal(0, mkdir);
            output.WriteLine($"docker default profile: {prog.InstructionCount} BPF instructions, Prepare {prepareMs:F2} ms (mean of {n}), Load {loadMs:F3} ms, flags {prog.KernelFlags}, ignored: {string.Join(",", prog.IgnoredSyscalls)}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
