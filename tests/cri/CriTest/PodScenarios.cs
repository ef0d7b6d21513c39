using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>Pod sandboxes: start, namespaces shared by containers, cgroup parent, networking, removal.</summary>
public static class PodScenarios
{
    public static async Task Run(Suite s)
    {
        Pod? pod = null;
        string a = "", b = "";
        await s.Scenario("RunPodSandbox: sandbox ready with the handler, two containers running", async () =>
        {
            pod = await s.RunPod("shared", c =>
            {
                if (s.Options.Cni) c.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Pod;
            });
            var status = (await s.Cri.Runtime.PodSandboxStatusAsync(
                new PodSandboxStatusRequest { PodSandboxId = pod.Id }, CriConnection.Within())).Status;
            Check.Equal(PodSandboxState.SandboxReady, status.State, "sandbox state");
            Check.Equal(s.Options.Handler, status.RuntimeHandler, "runtime handler");
            // the handler's own runtime --root holds the sandbox: its options (BinaryName, Root) were used
            if (s.Options.RuntimeRoot != null)
                Check.True(Directory.Exists(Path.Combine(s.Options.RuntimeRoot, "k8s.io", pod.Id)),
                    $"no state for the sandbox under the handler's root {s.Options.RuntimeRoot}/k8s.io");
            a = await pod.Launch("a", Suite.Sleeper);
            b = await pod.Launch("b", Suite.Sleeper);
            foreach (var id in new[] { a, b })
                Check.Equal(ContainerState.ContainerRunning, (await pod.Status(id)).State, $"state of {Pod.Short(id)}");
            var listed = await s.Cri.Runtime.ListContainersAsync(new ListContainersRequest
            {
                Filter = new ContainerFilter { PodSandboxId = pod.Id },
            }, CriConnection.Within());
            Check.Equal(2, listed.Containers.Count, "ListContainers in the pod");
        });

        await s.Scenario("containers share the pod's network and IPC namespaces, not pid (pid=CONTAINER)", async () =>
        {
            if (pod == null) throw new SkipException("the pod did not start");
            var pause = await pod.SandboxPid();
            var pa = await pod.Pid(a);
            var pb = await pod.Pid(b);
            foreach (var kind in new[] { "net", "ipc" })
            {
                var want = HostProbe.Namespace(pause, kind);
                Check.Equal(want, HostProbe.Namespace(pa, kind), $"{kind} namespace of a vs the sandbox");
                Check.Equal(want, HostProbe.Namespace(pb, kind), $"{kind} namespace of b vs the sandbox");
                // seen from inside as well (what the workload gets)
                Check.Equal(want, (await pod.Sh(b, $"readlink /proc/self/ns/{kind}")).Trim(), $"{kind} namespace inside b");
            }
            Check.True(HostProbe.Namespace(pause, "ipc") != HostProbe.Namespace(Environment.ProcessId, "ipc"),
                "the pod's IPC namespace is the host's");
            Check.True(HostProbe.Namespace(pa, "pid") != HostProbe.Namespace(pb, "pid"), "a and b share a pid namespace");
            // IPC really shared: the pod's /dev/shm is one tmpfs for every container
            await pod.Sh(a, "echo from-a >/dev/shm/ipc-probe");
            Check.Equal("from-a\n", await pod.Sh(b, "cat /dev/shm/ipc-probe"), "/dev/shm/ipc-probe written by a, read in b");
        });

        await s.Scenario("pod cgroup parent honoured: sandbox and containers under the kubepods-like parent", async () =>
        {
            if (pod == null) throw new SkipException("the pod did not start");
            foreach (var (what, pid) in new[] { ("sandbox", await pod.SandboxPid()), ("a", await pod.Pid(a)), ("b", await pod.Pid(b)) })
            {
                foreach (var ctrl in HostProbe.IsV2 ? new[] { "" } : new[] { "memory", "cpu", "pids" })
                {
                    var path = HostProbe.CgroupOf(pid, ctrl);
                    Check.True(path.StartsWith(pod.CgroupParent + "/", StringComparison.Ordinal),
                        $"{what}'s {ctrl} cgroup '{path}' is not under '{pod.CgroupParent}/'");
                }
            }
        });

        if (s.Options.Cni)
            await s.Scenario("pod network through CNI: the pod's IP is on eth0 in every container", async () =>
            {
                if (pod == null) throw new SkipException("the pod did not start");
                var status = (await s.Cri.Runtime.PodSandboxStatusAsync(
                    new PodSandboxStatusRequest { PodSandboxId = pod.Id }, CriConnection.Within())).Status;
                var ip = status.Network?.Ip ?? "";
                Check.True(ip != "", "PodSandboxStatus has no network IP");
                Check.Contains(await pod.Sh(a, "ip -o -4 addr show dev eth0"), $" {ip}/", "eth0 of a");
                Check.Contains(await pod.Sh(b, "ip -o -4 addr show dev eth0"), $" {ip}/", "eth0 of b");
                Check.True(HostProbe.Namespace(await pod.SandboxPid(), "net") != HostProbe.Namespace(Environment.ProcessId, "net"),
                    "the pod's network namespace is the host's");
            });

        await s.Scenario("RemovePodSandbox leaves no process, mount, cgroup, shim or runtime state", async () =>
        {
            if (pod == null) throw new SkipException("the pod did not start");
            await CheckRemovalLeavesNothing(s, pod);
        });

        await s.Scenario("host network pod: containers in the node's network namespace", async () =>
        {
            await using var host = await s.RunPod("hostnet");
            var c = await host.Launch("c", Suite.Sleeper);
            Check.Equal(HostProbe.Namespace(Environment.ProcessId, "net"), HostProbe.Namespace(await host.Pid(c), "net"), "net namespace");
        });

        await s.Scenario("pid namespace shared with the pod when asked (pid=POD)", async () =>
        {
            await using var shared = await s.RunPod("sharedpid", c => c.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Pod);
            var x = await shared.Launch("x", ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done # marker-x"]);
            var y = await shared.Launch("y", Suite.Sleeper);
            Check.Equal(HostProbe.Namespace(await shared.SandboxPid(), "pid"), HostProbe.Namespace(await shared.Pid(x), "pid"), "pid ns of x vs sandbox");
            Check.Equal(HostProbe.Namespace(await shared.Pid(x), "pid"), HostProbe.Namespace(await shared.Pid(y), "pid"), "pid ns of x vs y");
            Check.Contains(await shared.Sh(y, "ps -o args"), "marker-x", "ps in y shows x's process");
            Check.Equal("/pause", (await shared.Sh(y, "tr '\\0' ' ' </proc/1/cmdline")).Trim(), "pid 1 in the shared namespace");
        });
    }

    /// <summary>Records what the pod owns, removes it, and checks each thing is gone.</summary>
    public static async Task CheckRemovalLeavesNothing(Suite s, Pod pod)
    {
        var ids = new List<string> { pod.Id };
        ids.AddRange(pod.Containers);
        var pids = new List<int> { await pod.SandboxPid() };
        foreach (var c in pod.Containers)
        {
            var st = await pod.Status(c);
            if (st.State == ContainerState.ContainerRunning) pids.Add(await pod.Pid(c));
        }
        var controllers = HostProbe.IsV2 ? new[] { "" } : new[] { "memory", "cpu", "pids", "freezer", "devices" };
        var cgroups = pids.SelectMany(p => controllers.Select(ctrl => HostProbe.CgroupDir(ctrl, HostProbe.CgroupOf(p, ctrl)))).Distinct().ToList();
        var mounts = ids.SelectMany(HostProbe.MountsMentioning).ToList();
        Check.True(mounts.Count > 0, "no mount mentions the pod or its containers before removal (rootfs, shm expected)");
        var shims = HostProbe.ProcessesMentioning(pod.Id);
        Check.True(shims.Count > 0, "no shim process names the sandbox id");

        await pod.Remove();

        var listed = await s.Cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest
        {
            Filter = new PodSandboxFilter { Id = pod.Id },
        }, CriConnection.Within());
        Check.Equal(0, listed.Items.Count, "ListPodSandbox after removal");
        Check.True(await HostProbe.Eventually(() => pids.All(p => !HostProbe.Alive(p))),
            $"processes still alive: {string.Join(' ', pids.Where(HostProbe.Alive))}");
        Check.True(await HostProbe.Eventually(() => shims.All(p => !HostProbe.Alive(p))),
            $"shim processes still alive: {string.Join(' ', shims.Where(HostProbe.Alive))}");
        var leftMounts = ids.SelectMany(HostProbe.MountsMentioning).ToList();
        Check.True(leftMounts.Count == 0, $"mounts left: {string.Join("\n", leftMounts)}");
        var leftCgroups = cgroups.Where(Directory.Exists).ToList();
        Check.True(leftCgroups.Count == 0, $"cgroups left: {string.Join(' ', leftCgroups)}");
        if (s.Options.RuntimeRoot != null)
        {
            var leftState = ids.Select(id => Path.Combine(s.Options.RuntimeRoot, "k8s.io", id)).Where(Directory.Exists).ToList();
            Check.True(leftState.Count == 0, $"runtime state left: {string.Join(' ', leftState)}");
        }
    }
}
