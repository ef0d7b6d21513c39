using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>Stats, resource updates and the memory limit's OOM kill.</summary>
public static class ResourceScenarios
{
    public static async Task Run(Suite s)
    {
        await s.Scenario("ContainerStats and ListContainerStats report cpu, memory and the writable layer", async () =>
        {
            await using var pod = await s.RunPod("stats");
            var a = await pod.Launch("a", Suite.Sleeper);
            var b = await pod.Launch("b", Suite.Sleeper);
            // some cpu time and resident memory for a to report
            await pod.Sh(a, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; head -c 4000000 /dev/zero >/dev/shm/fill");
            var st = (await s.Cri.Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = a }, CriConnection.Within())).Stats;
            Check.Equal(a, st.Attributes?.Id, "stats attributes id");
            Check.Equal("a", st.Attributes?.Metadata?.Name, "stats metadata name");
            Check.True(st.Cpu?.UsageCoreNanoSeconds?.Value > 0, $"cpu usage_core_nano_seconds: {st.Cpu}");
            Check.True(st.Memory?.WorkingSetBytes?.Value > 0, $"memory working_set_bytes: {st.Memory}");
            Check.True(st.WritableLayer?.FsId?.Mountpoint is { Length: > 0 }, $"writable layer: {st.WritableLayer}");
            var list = await s.Cri.Runtime.ListContainerStatsAsync(new ListContainerStatsRequest
            {
                Filter = new ContainerStatsFilter { PodSandboxId = pod.Id },
            }, CriConnection.Within());
            var ids = list.Stats.Select(x => x.Attributes.Id).Order().ToList();
            Check.Equal(string.Join(',', new[] { a, b }.Order()), string.Join(',', ids), "ListContainerStats of the pod");
            Check.True(list.Stats.All(x => x.Memory?.WorkingSetBytes != null), "every listed container has memory stats");
        });

        await s.Scenario("UpdateContainerResources: memory, cpu quota and shares reach the container's cgroups", async () =>
        {
            await using var pod = await s.RunPod("update");
            var c = await pod.Launch("c", Suite.Sleeper, cfg =>
            {
                cfg.Linux.Resources.MemoryLimitInBytes = 128L << 20;
                cfg.Linux.Resources.CpuShares = 1024;
            });
            var pid = await pod.Pid(c);
            string Mem() => HostProbe.IsV2
                ? HostProbe.ReadCgroupFile("", HostProbe.CgroupOf(pid, ""), "memory.max")
                : HostProbe.ReadCgroupFile("memory", HostProbe.CgroupOf(pid, "memory"), "memory.limit_in_bytes");
            Check.Equal((128L << 20).ToString(), Mem(), "memory limit at create");
            await s.Cri.Runtime.UpdateContainerResourcesAsync(new UpdateContainerResourcesRequest
            {
                ContainerId = c,
                Linux = new LinuxContainerResources
                {
                    MemoryLimitInBytes = 96L << 20,
                    CpuPeriod = 100000,
                    CpuQuota = 50000,
                    CpuShares = 512,
                },
            }, CriConnection.Within());
            Check.Equal((96L << 20).ToString(), Mem(), "memory limit after update");
            if (HostProbe.IsV2)
            {
                Check.Equal("50000 100000", HostProbe.ReadCgroupFile("", HostProbe.CgroupOf(pid, ""), "cpu.max"), "cpu.max");
            }
            else
            {
                var cpu = HostProbe.CgroupOf(pid, "cpu");
                Check.Equal("50000", HostProbe.ReadCgroupFile("cpu", cpu, "cpu.cfs_quota_us"), "cpu.cfs_quota_us");
                Check.Equal("100000", HostProbe.ReadCgroupFile("cpu", cpu, "cpu.cfs_period_us"), "cpu.cfs_period_us");
                Check.Equal("512", HostProbe.ReadCgroupFile("cpu", cpu, "cpu.shares"), "cpu.shares");
            }
            // the container keeps running and a new exec sees the same limits
            Check.Equal(ContainerState.ContainerRunning, (await pod.Status(c)).State, "state after update");
            if (!HostProbe.IsV2)
                Check.Equal((96L << 20).ToString(), (await pod.Sh(c, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes")).Trim(), "limit seen inside");
        });

        await s.Scenario("memory limit exceeded: OOM-killed, ContainerStatus reason OOMKilled, exit 137", async () =>
        {
            await using var pod = await s.RunPod("oom");
            // dd's 64 MiB block is filled from /dev/zero: that memory is charged to the 16 MiB cgroup
            var c = await pod.Launch("hog", ["sh", "-c", "sleep 1; exec dd if=/dev/zero of=/dev/null bs=64M count=4"], cfg =>
            {
                cfg.Linux.Resources.MemoryLimitInBytes = 16L << 20;
                cfg.Linux.Resources.MemorySwapLimitInBytes = 16L << 20;
            });
            var st = await pod.WaitExited(c);
            Check.Equal("OOMKilled", st.Reason, $"reason (exit code {st.ExitCode}, message '{st.Message}')");
            Check.Equal(137, st.ExitCode, "exit code");
        });
    }
}
