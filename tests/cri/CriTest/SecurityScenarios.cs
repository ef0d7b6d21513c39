using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>Security contexts: seccomp (RuntimeDefault, Unconfined, Localhost), read-only rootfs, users, capabilities.</summary>
public static class SecurityScenarios
{
    const int CapChown = 0, CapNetAdmin = 12;

    public static async Task Run(Suite s)
    {
        Pod? pod = null;
        try
        {
            await s.Scenario("seccomp RuntimeDefault filters the container (unshare denied), Unconfined does not", async () =>
            {
                pod ??= await s.RunPod("security");
                var confined = await pod.Launch("seccomp-default", Suite.Sleeper, cfg =>
                    cfg.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault });
                var free = await pod.Launch("seccomp-unconfined", Suite.Sleeper, cfg =>
                    cfg.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined });
                Check.Equal("2", SeccompMode(await pod.Pid(confined)), "Seccomp mode of the RuntimeDefault container");
                Check.Equal("0", SeccompMode(await pod.Pid(free)), "Seccomp mode of the Unconfined container");
                Check.Contains(await pod.Sh(confined, "grep Seccomp: /proc/self/status"), "2", "exec'd process is filtered too");
                // the default profile allows unshare(2) only with CAP_SYS_ADMIN; the kernel alone lets anyone make a user namespace
                await pod.Sh(free, "unshare -U true");
                var denied = await pod.ExecSync(confined, ["unshare", "-U", "true"]);
                Check.True(denied.ExitCode != 0, "unshare -U succeeded under RuntimeDefault");
                Check.Contains(denied.Stderr.Text(), "Operation not permitted", "unshare's error under RuntimeDefault");
            });

            await s.Scenario("seccomp Localhost profile: its rules apply (mkdir denied with EPERM, the rest allowed)", async () =>
            {
                pod ??= await s.RunPod("security");
                var profile = Path.Combine(s.Options.Work, "seccomp-deny-mkdir.json");
                await File.WriteAllTextAsync(profile, """
                    {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
                    """);
                var c = await pod.Launch("seccomp-localhost", Suite.Sleeper, cfg =>
                    cfg.Linux.SecurityContext.Seccomp = new SecurityProfile
                    {
                        ProfileType = SecurityProfile.Types.ProfileType.Localhost,
                        LocalhostRef = profile,
                    });
                Check.Equal("2", SeccompMode(await pod.Pid(c)), "Seccomp mode");
                var r = await pod.ExecSync(c, ["mkdir", "/tmp/denied"]);
                Check.True(r.ExitCode != 0, "mkdir succeeded under a profile that denies it");
                Check.Contains(r.Stderr.Text(), "Operation not permitted", "mkdir's error");
                await pod.Sh(c, "touch /tmp/allowed && ls /tmp/allowed");
            });

            await s.Scenario("read-only rootfs: writes to / fail, volumes-like tmpfs /dev/shm still writable", async () =>
            {
                pod ??= await s.RunPod("security");
                var c = await pod.Launch("readonly", Suite.Sleeper, cfg => cfg.Linux.SecurityContext.ReadonlyRootfs = true);
                var r = await pod.ExecSync(c, ["touch", "/written"]);
                Check.True(r.ExitCode != 0, "touch /written succeeded on a read-only rootfs");
                Check.Contains(r.Stderr.Text(), "Read-only file system", "touch's error");
                await pod.Sh(c, "echo x >/dev/shm/ok");
            });

            await s.Scenario("run as user: uid, gid and supplemental groups for the process and for exec", async () =>
            {
                pod ??= await s.RunPod("security");
                var c = await pod.Launch("runasuser", Suite.Sleeper, cfg =>
                {
                    cfg.Linux.SecurityContext.RunAsUser = new Int64Value { Value = 1000 };
                    cfg.Linux.SecurityContext.RunAsGroup = new Int64Value { Value = 1001 };
                    cfg.Linux.SecurityContext.SupplementalGroups.Add(3000);
                });
                var status = File.ReadAllLines($"/proc/{await pod.Pid(c)}/status");
                Check.Contains(status.First(l => l.StartsWith("Uid:")), "\t1000\t1000\t1000\t1000", "Uid of the container process");
                Check.Contains(status.First(l => l.StartsWith("Gid:")), "\t1001\t1001\t1001\t1001", "Gid of the container process");
                Check.Contains(status.First(l => l.StartsWith("Groups:")), "3000", "Groups of the container process");
                Check.Equal("1000 1001\n", await pod.Sh(c, "echo $(id -u) $(id -g)"), "ids in exec");
                Check.Contains(await pod.Sh(c, "id -G"), "3000", "supplemental groups in exec");
            });

            await s.Scenario("capabilities: NET_ADMIN added, CHOWN dropped", async () =>
            {
                pod ??= await s.RunPod("security");
                var c = await pod.Launch("caps", Suite.Sleeper, cfg =>
                {
                    cfg.Linux.SecurityContext.Capabilities = new Capability
                    {
                        AddCapabilities = { "NET_ADMIN" },
                        DropCapabilities = { "CHOWN" },
                    };
                });
                var eff = HostProbe.CapEff(await pod.Pid(c));
                Check.True((eff & (1UL << CapNetAdmin)) != 0, $"CAP_NET_ADMIN missing from CapEff {eff:x}");
                Check.True((eff & (1UL << CapChown)) == 0, $"CAP_CHOWN still in CapEff {eff:x}");
                var r = await pod.ExecSync(c, ["sh", "-c", "touch /tmp/f && chown 1234 /tmp/f"]);
                Check.True(r.ExitCode != 0, "chown succeeded without CAP_CHOWN");
                Check.Contains(r.Stderr.Text(), "Operation not permitted", "chown's error");
            });
        }
        finally
        {
            if (pod != null) await pod.DisposeAsync();
        }
    }

    static string SeccompMode(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Seccomp:")).Split(':')[1].Trim();
}
