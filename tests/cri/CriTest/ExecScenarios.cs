using System.Diagnostics;
using Grpc.Core;
using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>ExecSync and Exec into a running container.</summary>
public static class ExecScenarios
{
    public static async Task Run(Suite s)
    {
        await s.Scenario("ExecSync: stdout, stderr and exit code; timeout enforced", async () =>
        {
            await using var pod = await s.RunPod("exec");
            var c = await pod.Launch("c", Suite.Sleeper);
            var r = await pod.ExecSync(c, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
            Check.Equal("out\n", r.Stdout.Text(), "stdout");
            Check.Equal("err\n", r.Stderr.Text(), "stderr");
            Check.Equal(3, r.ExitCode, "exit code");
            Check.Equal("0\n", await pod.Sh(c, "id -u"), "exec runs as the container's user");
            // the exec'd process joins the container's cgroup (v1 here has no cgroup namespace: host paths)
            var inside = await pod.Sh(c, "cat /proc/self/cgroup");
            var ctrl = HostProbe.IsV2 ? "" : "memory";
            var want = HostProbe.CgroupOf(await pod.Pid(c), ctrl);
            if (!HostProbe.IsV2) Check.Contains(inside, $":memory:{want}\n", "exec'd process's memory cgroup");
            var sw = Stopwatch.StartNew();
            try
            {
                var t = await pod.ExecSync(c, ["sleep", "30"], timeoutSeconds: 1);
                throw new CheckFailed($"ExecSync with a 1 s timeout returned exit code {t.ExitCode} after {sw.ElapsedMilliseconds} ms");
            }
            catch (RpcException e)
            {
                Check.Contains(e.Status.Detail, "timeout", "ExecSync timeout error");
            }
            Check.True(sw.ElapsedMilliseconds < 25_000, $"ExecSync timeout took {sw.ElapsedMilliseconds} ms");
            Check.Equal("", (await pod.Sh(c, "ps -o args | grep 'sleep 30' | grep -v grep || true")).Trim(), "sleep 30 killed after the timeout");
        });

        await s.Scenario("Exec: streaming endpoint served, command output over websocket", async () =>
        {
            await using var pod = await s.RunPod("execstream");
            var c = await pod.Launch("c", Suite.Sleeper);
            var resp = await s.Cri.Runtime.ExecAsync(new ExecRequest
            {
                ContainerId = c, Cmd = { "sh", "-c", "echo streamed; echo to-err >&2; exit 4" }, Stdout = true, Stderr = true,
            }, CriConnection.Within());
            Check.True(resp.Url.StartsWith("http://", StringComparison.Ordinal) && resp.Url.Contains("/exec/"), $"exec URL '{resp.Url}'");
            var result = await StreamExec.Run(resp.Url);
            Check.Equal("streamed\n", result.Stdout, "streamed stdout");
            Check.Equal("to-err\n", result.Stderr, "streamed stderr");
            // a Kubernetes Status object: Failure, NonZeroExitCode, causes [{reason ExitCode, message "4"}]
            Check.Contains(result.Status, "\"reason\":\"NonZeroExitCode\"", "status on the error channel");
            Check.Contains(result.Status, "{\"reason\":\"ExitCode\",\"message\":\"4\"}", "exit code on the error channel");
        });
    }
}
