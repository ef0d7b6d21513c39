using System.Globalization;

namespace NRunc.Tests.Cri;

/// <summary>What the host sees of pods and containers: /proc, cgroupfs (v1 and v2) and mountinfo.</summary>
public static class HostProbe
{
    const string CgroupFs = "/sys/fs/cgroup";

    public static bool IsV2 => File.Exists($"{CgroupFs}/cgroup.controllers");

    /// <summary>The process's cgroup path for a v1 controller ("memory", "cpu,cpuacct", ...) or the v2 path.</summary>
    public static string CgroupOf(int pid, string controller)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (IsV2 ? parts[0] == "0" : parts[1].Split(',').Contains(controller))
                return parts[2];
        }
        throw new CheckFailed($"/proc/{pid}/cgroup has no '{controller}' line");
    }

    /// <summary>Host directory of a cgroup for a v1 controller (or the v2 directory).</summary>
    public static string CgroupDir(string controller, string path) =>
        IsV2 ? $"{CgroupFs}{path}" : $"{CgroupFs}/{MountNameOf(controller)}{path}";

    static string MountNameOf(string controller) => controller switch
    {
        "cpu" or "cpuacct" => Directory.Exists($"{CgroupFs}/cpu,cpuacct") ? "cpu,cpuacct" : controller,
        _ => controller,
    };

    public static string ReadCgroupFile(string controller, string path, string file) =>
        File.ReadAllText(Path.Combine(CgroupDir(controller, path), file)).Trim();

    public static string Namespace(int pid, string kind) =>
        new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget ?? throw new CheckFailed($"/proc/{pid}/ns/{kind} unreadable");

    /// <summary>True while the pid exists and is not a zombie.</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Pids of live processes whose command line contains TEXT.</summary>
    public static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllText($"{dir}/cmdline").Replace('\0', ' ');
                if (cmdline.Contains(text, StringComparison.Ordinal) && Alive(pid)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Lines of this mount namespace's mountinfo that mention TEXT.</summary>
    public static List<string> MountsMentioning(string text) =>
        File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>Effective capability set of a process, from /proc/PID/status.</summary>
    public static ulong CapEff(int pid) => StatusHex(pid, "CapEff:");

    /// <summary>Capability bounding set of a process, from /proc/PID/status.</summary>
    public static ulong CapBnd(int pid) => StatusHex(pid, "CapBnd:");

    static ulong StatusHex(int pid, string key)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return ulong.Parse(line[key.Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls CONDITION for up to SECONDS (shims and cleanup finish asynchronously).</summary>
    public static async Task<bool> Eventually(Func<bool> condition, int seconds = 15)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(100);
        }
        return true;
    }
}
