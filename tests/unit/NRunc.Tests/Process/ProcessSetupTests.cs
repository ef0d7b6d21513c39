using System.Runtime.InteropServices;
using NRunc.Container;
using NRunc.Container.Process;
using NRunc.Native;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.ContainerProcess;

public class SysctlTests
{
    static readonly SysctlNamespaces None = new(false, false, false);
    static readonly SysctlNamespaces All = new(true, true, true);

    [Theory]
    [InlineData("kernel.msgmax")]
    [InlineData("kernel.sem")]
    [InlineData("kernel.shm_rmid_forced")]
    [InlineData("fs.mqueue.msg_max")]
    [InlineData("net.ipv4.ip_forward")]
    [InlineData("net/ipv4/conf/eth0.100/forwarding")]
    [InlineData("kernel.domainname")]
    public void NamespacedSysctlsAreAllowedWithTheirNamespace(string key) => Assert.Null(Sysctls.Check(key, All));

    [Theory]
    [InlineData("kernel.msgmax", "sysctl \"kernel.msgmax\" is not allowed in the hosts ipc namespace")]
    [InlineData("fs.mqueue.queues_max", "sysctl \"fs.mqueue.queues_max\" is not allowed in the hosts ipc namespace")]
    [InlineData("net.ipv4.ip_forward", "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace")]
    [InlineData("vm.swappiness", "sysctl \"vm.swappiness\" is not in a separate kernel namespace")]
    [InlineData("kernel.foo", "sysctl \"kernel.foo\" is not in a separate kernel namespace")]
    [InlineData("kernel.domainname", "sysctl \"kernel.domainname\" is not in a separate kernel namespace")]
    public void OthersAreRejectedWithRuncText(string key, string message) => Assert.Equal(message, Sysctls.Check(key, None));

    [Fact]
    public void HostnameSysctlConflictsWithField()
    {
        Assert.Equal("sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field", Sysctls.Check("kernel.hostname", All));
        Assert.Equal("sysctl \"vm.swappiness\" is not in a separate kernel namespace", Sysctls.Check("vm.swappiness", All));
    }

    [Fact]
    public void ValidateRejectsTraversal()
    {
        var e = Assert.Throws<ContainerException>(() => Sysctls.Validate(new Dictionary<string, string> { ["net/../../self/oom_score_adj"] = "1" }, All));
        Assert.Contains("not a valid sysctl name", e.Message);
        Assert.Equal("net/ipv4/ip_forward", Sysctls.RelativePath("net.ipv4.ip_forward"));
        Assert.Equal("net/ipv4/conf/eth0.100/forwarding", Sysctls.RelativePath("net/ipv4/conf/eth0.100/forwarding"));
    }

    [Fact]
    public void NamespacesFromSpec()
    {
        var linux = new Linux { Namespaces = [new() { Type = "ipc" }, new() { Type = "network", Path = "/proc/self/ns/net" }] };
        Assert.Equal(new SysctlNamespaces(true, false, false), SysctlNamespaces.FromSpec(linux));
        linux.Namespaces = [new() { Type = "network" }, new() { Type = "uts" }];
        Assert.Equal(new SysctlNamespaces(false, true, true), SysctlNamespaces.FromSpec(linux));
    }

    [Fact]
    public void ApplyWritesThroughProcfs()
    {
        // Writes the current value back: the host is left as it was.
        var current = File.ReadAllText("/proc/sys/net/core/somaxconn").Trim();
        Sysctls.Apply(new Dictionary<string, string> { ["net.core.somaxconn"] = current });
        Assert.Equal(current, File.ReadAllText("/proc/sys/net/core/somaxconn").Trim());
        var e = Assert.Throws<NativeException>(() => Sysctls.Apply(new Dictionary<string, string> { ["net.core.no_such_sysctl"] = "1" }));
        Assert.Equal("open /proc/sys/net/core/no_such_sysctl: no such file or directory", e.Message);
    }

    [Fact]
    public void ProcfsChecksRefuseOtherFilesystemsAndSymlinks()
    {
        var e = Assert.Throws<ContainerException>(() => ProcFiles.OpenProcRoot("/tmp"));
        Assert.Contains("is not on procfs", e.Message);
        int proc = ProcFiles.OpenProcRoot();
        try
        {
            // /proc/self is a symlink: refused (RESOLVE_NO_SYMLINKS), and nothing escapes /proc (RESOLVE_BENEATH).
            Assert.Equal(Errno.ELOOP, Assert.Throws<NativeException>(() => ProcFiles.OpenBeneath(proc, "self/oom_score_adj", "x")).Errno);
            Assert.Equal(Errno.EXDEV, Assert.Throws<NativeException>(() => ProcFiles.OpenBeneath(proc, "../etc/passwd", "x")).Errno);
        }
        finally { Libc.close(proc); }
    }
}

public unsafe class ProcessSetupTests
{
    [Fact]
    public void CpuListParsing()
    {
        Assert.Equal(new ulong[] { 0b1000_1111 }, CpuList.Parse("0-3,7", "execCPUAffinity.initial"));
        var m = CpuList.Parse("1,64-65", "x");
        Assert.Equal(new ulong[] { 2, 3 }, m);
        Assert.Equal("invalid CPU list \"3-1\" in process.execCPUAffinity.final", Assert.Throws<ContainerException>(() => CpuList.Parse("3-1", "execCPUAffinity.final")).Message);
        Assert.Throws<ContainerException>(() => CpuList.Parse("a", "x"));
        Assert.Throws<ContainerException>(() => CpuList.Parse("1,,2", "x"));
    }

    [Fact]
    public void SchedulerAndIoPriorityMapping()
    {
        var a = ProcessSetup.SchedAttr(new Scheduler { Policy = "SCHED_DEADLINE", Runtime = 10, Deadline = 20, Period = 30, Flags = ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"] });
        Assert.Equal((6u, 3UL, 10UL, 20UL, 30UL, 56u), (a.sched_policy, a.sched_flags, a.sched_runtime, a.sched_deadline, a.sched_period, a.size));
        Assert.Throws<ContainerException>(() => ProcessSetup.SchedAttr(new Scheduler { Policy = "SCHED_BOGUS" }));
        Assert.Equal(2 << 13 | 4, ProcessSetup.IoPrioValue(new LinuxIOPriority { Class = "IOPRIO_CLASS_BE", Priority = 4 }));
        Assert.Throws<ContainerException>(() => ProcessSetup.IoPrioValue(new LinuxIOPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 }));
    }

    [Fact]
    public void ThreadSettingsApplyToTheCallingThread()
    {
        // On a thread of its own: scheduler, I/O priority, affinity and keyring are per thread and go away with it.
        Exception? error = null;
        string status = "", keyring = "";
        int ioprio = -1;
        var t = new Thread(() =>
        {
            try
            {
                ProcessSetup.SetScheduler(new Scheduler { Policy = "SCHED_BATCH", Nice = 5 });
                ProcessSetup.SetIoPriority(new LinuxIOPriority { Class = "IOPRIO_CLASS_BE", Priority = 6 });
                ProcessSetup.SetCpuAffinity("0", "execCPUAffinity.final");
                ProcessSetup.JoinSessionKeyring("nrunc-unit-test", userNamespace: false);
                status = File.ReadAllText("/proc/thread-self/status");
                ioprio = (int)Libc.syscall(252 /* ioprio_get */, Libc.IOPRIO_WHO_PROCESS, 0, 0, 0, 0, 0);
                byte* buf = stackalloc byte[256];
                long n = Libc.keyctl(Libc.KEYCTL_DESCRIBE, -3 /* KEY_SPEC_SESSION_KEYRING */, (long)buf, 256, 0);
                keyring = n > 0 ? System.Text.Encoding.UTF8.GetString(buf, (int)n - 1) : $"errno {Marshal.GetLastPInvokeError()}";
            }
            catch (Exception e) { error = e; }
        });
        t.Start();
        t.Join();
        Assert.Null(error);
        Assert.Contains("Cpus_allowed_list:\t0\n", status);
        Assert.Equal(2 << 13 | 6, ioprio);
        Assert.StartsWith("keyring;0;0;", keyring);
        Assert.EndsWith(";_ses.nrunc-unit-test", keyring);
        // Possessor bits kept, and the uid "search" bit (0x80000) added without a user namespace.
        var perm = Convert.ToUInt32(keyring.Split(';')[3], 16);
        Assert.NotEqual(0u, perm & 0x80000);
    }

    [Fact]
    public void OomScoreAdjRaiseWorksLowerReportsLikeRunc()
    {
        var current = int.Parse(File.ReadAllText("/proc/self/oom_score_adj").Trim());
        ProcessSetup.SetOomScoreAdj(current);
        Assert.Equal(current, int.Parse(File.ReadAllText("/proc/self/oom_score_adj").Trim()));
        try
        {
            ProcessSetup.SetOomScoreAdj(-1000);
            // This host has no CAP_SYS_RESOURCE; elsewhere the write succeeds: put the value back.
            ProcessSetup.SetOomScoreAdj(current);
        }
        catch (ContainerException e)
        {
            Assert.Equal("failed to update /proc/self/oom_score_adj: permission denied", e.Message);
        }
    }

    [Fact]
    public void UtsValidationLikeRunc()
    {
        var spec = new NRunc.Spec.Spec { Hostname = "x" };
        Assert.Equal("unable to set hostname without a private UTS namespace", Assert.Throws<ContainerException>(() => ProcessSetup.ValidateUts(spec, false)).Message);
        ProcessSetup.ValidateUts(spec, true);
        Assert.Equal("unable to set hostname without a private UTS namespace", Assert.Throws<ContainerException>(() => ProcessSetup.SetHostname("x", false)).Message);
        spec = new NRunc.Spec.Spec { Domainname = "d" };
        Assert.Equal("unable to set domainname without a private UTS namespace", Assert.Throws<ContainerException>(() => ProcessSetup.ValidateUts(spec, false)).Message);
    }

    [Fact]
    public void LsmLikeRunc11()
    {
        var p = new NRunc.Spec.Process { SelinuxLabel = "system_u:system_r:container_t:s0" };
        if (!File.Exists("/sys/fs/selinux/enforce"))
            Assert.Equal("selinux label is specified in config, but selinux is disabled or not supported", Assert.Throws<ContainerException>(() => ProcessSetup.ValidateLsm(p)).Message);
        Assert.Null(ProcessSetup.AppArmorExecAttr(null));
        var (path, value) = ProcessSetup.AppArmorExecAttr("foo")!.Value;
        Assert.Equal("exec foo", value);
        Assert.StartsWith("/proc/thread-self/attr/", path);
        if (!Directory.Exists("/sys/kernel/security/apparmor"))
        {
            // No AppArmor here: the write fails as runc 1.1's does ("write /proc/self/attr/exec: invalid argument").
            Exception? error = null;
            var t = new Thread(() => { try { ProcessSetup.ApplyAppArmor("foo"); } catch (Exception e) { error = e; } });
            t.Start(); t.Join();
            Assert.StartsWith("unable to apply apparmor profile: apparmor failed to apply profile: write /proc/self/attr/", Assert.IsType<ContainerException>(error).Message);
        }
    }

    [Fact]
    public void HomeFromPasswdWhenEnvHasNone()
    {
        const string passwd = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n";
        Assert.Equal(new[] { "PATH=/bin", "HOME=/home/user" }, ProcessSetup.WithHome(["PATH=/bin"], 1000, passwd));
        Assert.Equal(new[] { "HOME=/" }, ProcessSetup.WithHome([], 4242, passwd));
        Assert.Equal(new[] { "HOME=/x" }, ProcessSetup.WithHome(["HOME=/x"], 0, passwd));
        Assert.Equal(new[] { "HOME=/" }, ProcessSetup.WithHome([], 0, null));
        Assert.NotNull(ProcessSetup.ReadPasswd());
    }

    [Fact]
    public void PersonalityDomains()
    {
        Assert.Throws<ContainerException>(() => ProcessSetup.SetPersonality(new LinuxPersonality { Domain = "BOGUS" }));
    }
}
