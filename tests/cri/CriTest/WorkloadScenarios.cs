using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>What pod specs commonly carry: env, working dir, volumes, sysctls, default masked paths, privileged.</summary>
public static class WorkloadScenarios
{
    public static async Task Run(Suite s)
    {
        Pod? pod = null;
        try
        {
            await s.Scenario("process: command, args, env and working dir from the container config", async () =>
            {
                pod ??= await RunPod(s);
                var c = await pod.Launch("proc", ["sh", "-c"], cfg =>
                {
                    cfg.Args.Add("echo \"$GREETING from $(pwd)\"; echo \"$0 $1\"; sleep 1000");
                    cfg.Args.Add("arg-one");
                    cfg.Envs.Add(new KeyValue { Key = "GREETING", Value = "hello cri" });
                    cfg.WorkingDir = "/tmp/work";
                });
                // the image's PATH survives next to the config's variables
                Check.Contains(await pod.Sh(c, "env"), "PATH=/usr/local/sbin:", "environment of an exec");
                Check.Contains(await pod.Sh(c, "env"), "GREETING=hello cri", "environment of an exec");
                var log = await ContainerLifecycleScenarios.WaitForLog(pod.LogFile("proc"), "hello cri");
                Check.True(log.Any(l => l.EndsWith(" hello cri from /tmp/work", StringComparison.Ordinal)), $"first line: {string.Join(" | ", log)}");
                await ContainerLifecycleScenarios.WaitForLog(pod.LogFile("proc"), "arg-one");
            });

            await s.Scenario("volumes: host directories bind-mounted read-write and read-only", async () =>
            {
                pod ??= await RunPod(s);
                var rw = Directory.CreateDirectory(Path.Combine(s.Options.Work, $"vol-rw-{Guid.NewGuid():N}")).FullName;
                var ro = Directory.CreateDirectory(Path.Combine(s.Options.Work, $"vol-ro-{Guid.NewGuid():N}")).FullName;
                await File.WriteAllTextAsync(Path.Combine(ro, "data"), "from the host\n");
                var c = await pod.Launch("volumes", Suite.Sleeper, cfg =>
                {
                    cfg.Mounts.Add(new Mount { ContainerPath = "/data/rw", HostPath = rw });
                    cfg.Mounts.Add(new Mount { ContainerPath = "/data/ro", HostPath = ro, Readonly = true });
                });
                await pod.Sh(c, "echo from the container >/data/rw/out");
                Check.Equal("from the container\n", await File.ReadAllTextAsync(Path.Combine(rw, "out")), "file written through the rw volume");
                Check.Equal("from the host\n", await pod.Sh(c, "cat /data/ro/data"), "file read through the ro volume");
                var r = await pod.ExecSync(c, ["touch", "/data/ro/new"]);
                Check.True(r.ExitCode != 0, "write to the read-only volume succeeded");
                Check.Contains(r.Stderr.Text(), "Read-only file system", "error writing to the read-only volume");
            });

            await s.Scenario("pod sysctls: an IPC-namespaced sysctl set for the pod is seen by its containers", async () =>
            {
                await using var sysctlPod = await s.RunPod("sysctl", cfg => cfg.Linux.Sysctls["kernel.shm_rmid_forced"] = "1");
                var c = await sysctlPod.Launch("c", Suite.Sleeper);
                Check.Equal("1\n", await sysctlPod.Sh(c, "cat /proc/sys/kernel/shm_rmid_forced"), "kernel.shm_rmid_forced in the container");
                Check.Equal("0", File.ReadAllText("/proc/sys/kernel/shm_rmid_forced").Trim(), "the host's kernel.shm_rmid_forced is untouched");
            });

            await s.Scenario("default masked and read-only paths: /proc/timer_list and /proc/keys masked, /proc/sys read-only", async () =>
            {
                pod ??= await RunPod(s);
                var c = await pod.Launch("masked", Suite.Sleeper);
                // containerd's default masked files that this kernel has (/proc/kcore is not built in here)
                foreach (var file in new[] { "/proc/timer_list", "/proc/keys" }.Where(f => File.Exists(f) && File.ReadAllText(f).Length > 0))
                    Check.Equal("0\n", await pod.Sh(c, $"wc -c <{file}"), $"bytes readable from {file}");
                Check.Equal("", await pod.Sh(c, "ls /proc/acpi 2>/dev/null; ls /sys/firmware 2>/dev/null; true"), "masked directories are empty");
                var r = await pod.ExecSync(c, ["sh", "-c", "echo 1 >/proc/sys/kernel/shm_rmid_forced"]);
                Check.True(r.ExitCode != 0, "write to /proc/sys succeeded in an unprivileged container");
                Check.Contains(r.Stderr.Text(), "Read-only file system", "error writing to /proc/sys");
            });

            await s.Scenario("privileged container: every capability, host devices, writable /proc/sys, no seccomp", async () =>
            {
                await using var privileged = await s.RunPod("privileged", cfg => cfg.Linux.SecurityContext.Privileged = true);
                var c = await privileged.Launch("c", Suite.Sleeper, cfg => cfg.Linux.SecurityContext.Privileged = true);
                var pid = await privileged.Pid(c);
                // every capability the node has (its bounding set: this machine lacks CAP_SYS_RESOURCE)
                Check.Equal(HostProbe.CapBnd(Environment.ProcessId).ToString("x"), HostProbe.CapEff(pid).ToString("x"), "CapEff");
                Check.Contains(await privileged.Sh(c, "ls /dev"), "kmsg", "host devices in /dev");
                Check.Equal("0\n", await privileged.Sh(c, "grep Seccomp: /proc/self/status | tr -dc 0-9; echo"), "seccomp mode");
                await privileged.Sh(c, "cat /proc/sys/kernel/shm_rmid_forced >/proc/sys/kernel/shm_rmid_forced");
            });
        }
        finally
        {
            if (pod != null) await pod.DisposeAsync();
        }
    }

    static Task<Pod> RunPod(Suite s) => s.RunPod("workload");
}
