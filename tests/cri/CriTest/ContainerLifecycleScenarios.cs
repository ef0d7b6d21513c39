using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>StopContainer's SIGTERM-then-SIGKILL, restarts, container logs in the CRI format and their rotation.</summary>
public static partial class ContainerLifecycleScenarios
{
    // "2016-10-06T00:17:09.669794202Z stdout F log content"
    [GeneratedRegex(@"^(\S+) (stdout|stderr) (F|P) (.*)$")]
    private static partial Regex CriLogLine();

    public static async Task Run(Suite s)
    {
        await StopScenarios(s);
        await RestartAndRotate(s);
        await LogScenario(s);
    }

    static async Task StopScenarios(Suite s)
    {
        await s.Scenario("StopContainer: SIGTERM first, the container exits on its own within the timeout", async () =>
        {
            await using var pod = await s.RunPod("stopterm");
            var c = await pod.Launch("c", ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done"]);
            await WaitForLog(pod.LogFile("c"), "ready");
            var sw = Stopwatch.StartNew();
            await s.Cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = c, Timeout = 30 }, CriConnection.Within(90));
            var st = await pod.Status(c);
            Check.Equal(ContainerState.ContainerExited, st.State, "state");
            Check.Equal(0, st.ExitCode, "exit code of a container that handled SIGTERM");
            Check.True(sw.ElapsedMilliseconds < 25_000, $"StopContainer waited {sw.ElapsedMilliseconds} ms: the full timeout, so SIGTERM was not delivered");
            await WaitForLog(pod.LogFile("c"), "got TERM");
        });

        await s.Scenario("StopContainer: SIGKILL after the timeout when SIGTERM is ignored", async () =>
        {
            await using var pod = await s.RunPod("stopkill");
            var c = await pod.Launch("c", ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"]);
            await WaitForLog(pod.LogFile("c"), "ready");
            var sw = Stopwatch.StartNew();
            await s.Cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = c, Timeout = 2 }, CriConnection.Within(90));
            var waited = sw.ElapsedMilliseconds;
            var st = await pod.Status(c);
            Check.Equal(ContainerState.ContainerExited, st.State, "state");
            Check.Equal(137, st.ExitCode, "exit code (SIGKILL)");
            // the grace period is honoured: SIGKILL does not come before the 2 s timeout
            Check.True(waited >= 1900, $"StopContainer returned after {waited} ms, before the 2 s timeout");
        });

    }

    static async Task LogScenario(Suite s)
    {
        await s.Scenario("container logs in the CRI format (timestamp stream tag message)", async () =>
        {
            await using var pod = await s.RunPod("logs");
            var c = await pod.Launch("c", ["sh", "-c", "echo line one; echo to stderr >&2; echo line two; printf 'no newline'"]);
            var st = await pod.WaitExited(c);
            Check.Equal(0, st.ExitCode, "exit code");
            Check.Equal(pod.LogFile("c"), st.LogPath, "ContainerStatus log_path");
            var lines = await WaitForLog(pod.LogFile("c"), "no newline");
            var parsed = new List<(string Stream, string Tag, string Text)>();
            foreach (var line in lines)
            {
                var m = CriLogLine().Match(line);
                Check.True(m.Success, $"log line not in CRI format: '{line}'");
                Check.True(DateTime.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
                    $"timestamp '{m.Groups[1].Value}' is not RFC 3339");
                parsed.Add((m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value));
            }
            Check.True(parsed.Contains(("stdout", "F", "line one")), $"stdout F 'line one' in {string.Join(" | ", lines)}");
            Check.True(parsed.Contains(("stdout", "F", "line two")), "stdout F 'line two'");
            Check.True(parsed.Contains(("stderr", "F", "to stderr")), "stderr F 'to stderr'");
            var one = parsed.FindIndex(p => p.Text == "line one");
            var two = parsed.FindIndex(p => p.Text == "line two");
            Check.True(one < two, "stdout lines in order");
        });
    }

    static async Task RestartAndRotate(Suite s)
    {
        await s.Scenario("restart: a second attempt of an exited container runs in the same pod", async () =>
        {
            await using var pod = await s.RunPod("restart");
            var first = await pod.Launch("c", ["sh", "-c", "echo attempt 0; exit 2"]);
            Check.Equal(2, (await pod.WaitExited(first)).ExitCode, "exit code of attempt 0");
            // kubelet keeps the exited container and creates the next attempt with its own log file
            var second = await pod.Launch("c", ["sh", "-c", "echo attempt 1; exec sleep 1000"], cfg =>
            {
                cfg.Metadata.Attempt = 1;
                cfg.LogPath = "c-1.log";
            });
            Check.Equal(ContainerState.ContainerRunning, (await pod.Status(second)).State, "state of attempt 1");
            Check.Equal(ContainerState.ContainerExited, (await pod.Status(first)).State, "state of attempt 0");
            await WaitForLog(pod.LogFile("c-1"), "attempt 1");
            await s.Cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = first }, CriConnection.Within());
            Check.Equal(ContainerState.ContainerRunning, (await pod.Status(second)).State, "attempt 1 after removing attempt 0");
        });

        await s.Scenario("ReopenContainerLog: after rotation new output goes to a new file", async () =>
        {
            await using var pod = await s.RunPod("rotate");
            var c = await pod.Launch("c", ["sh", "-c", "i=0; while :; do echo line $i; i=$((i+1)); sleep 0.1; done"]);
            var log = pod.LogFile("c");
            await WaitForLog(log, "line 2");
            File.Move(log, log + ".1");
            await s.Cri.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = c }, CriConnection.Within());
            var lines = await WaitForLog(log, "line");
            var rotated = File.ReadAllLines(log + ".1");
            var last = rotated.Select(l => l.Split(' ').Last()).Last();
            var next = lines[0].Split(' ').Last();
            Check.True(int.Parse(next) > int.Parse(last), $"new file starts with line {next}, the rotated one ended with {last}");
        });
    }

    /// <summary>Waits until the log file has a line containing TEXT; returns all lines.</summary>
    public static async Task<string[]> WaitForLog(string path, string text, int seconds = 30)
    {
        string[] lines = [];
        var ok = await HostProbe.Eventually(() =>
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
            return lines.Any(l => l.Contains(text, StringComparison.Ordinal));
        }, seconds);
        Check.True(ok, $"'{text}' not in {path} after {seconds} s: {string.Join(" | ", lines)}");
        return lines;
    }
}
