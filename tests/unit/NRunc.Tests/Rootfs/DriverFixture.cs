using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace NRunc.Tests.Rootfs;

/// <summary>
/// Builds tests/tools/RootfsDriver once and runs it in a private mount and pid namespace
/// (unshare --mount --pid --fork --propagation private) on busybox bundles made in a temp dir.
/// Mount tests cannot unshare inside the multi-threaded test process, hence the separate driver.
/// </summary>
public sealed class DriverFixture : IDisposable
{
    public string Work { get; }
    /// <summary>The driver, published with NativeAOT like nrunc itself: after pivot_root a JIT runtime could not
    /// load its remaining assemblies from the host.</summary>
    public string Driver { get; }
    int _n;

    public DriverFixture()
    {
        Work = Path.Combine(Path.GetTempPath(), "nrunc-rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Work);
        var repo = AppContext.BaseDirectory;
        while (repo is not null && !File.Exists(Path.Combine(repo, "NRunc.sln"))) repo = Path.GetDirectoryName(repo);
        Assert.NotNull(repo);
        var outDir = Path.Combine(Work, "driver");
        var (code, o, e) = Exec("dotnet", ["publish", Path.Combine(repo!, "tests/tools/RootfsDriver/RootfsDriver.csproj"),
            "-r", "linux-x64", "-p:PublishAot=true", "-o", outDir, "-v", "q", "-nologo"]);
        Assert.True(code == 0, "publishing RootfsDriver failed:\n" + o + e);
        Driver = Path.Combine(outDir, "RootfsDriver");
    }

    public void Dispose()
    {
        // Nothing may still be mounted under the work dir (the driver ran in its own mount namespace).
        Assert.DoesNotContain(Work, File.ReadAllText("/proc/self/mountinfo"));
        Directory.Delete(Work, true);
    }

    static readonly string[] Applets = ["sh", "ls", "cat", "stat", "touch", "mkdir", "echo", "readlink", "grep", "test", "wc", "id", "rm", "mount", "head"];

    /// <summary>A bundle dir with a busybox rootfs and runc's default config.json, edited by <paramref name="edit"/>.</summary>
    public string NewBundle(Action<JsonObject>? edit = null, Action<string>? rootfs = null)
    {
        var b = Path.Combine(Work, "b" + Interlocked.Increment(ref _n));
        var r = Path.Combine(b, "rootfs");
        Directory.CreateDirectory(Path.Combine(r, "bin"));
        Directory.CreateDirectory(Path.Combine(r, "etc"));
        File.Copy("/bin/busybox", Path.Combine(r, "bin", "busybox"));
        foreach (var a in Applets) File.CreateSymbolicLink(Path.Combine(r, "bin", a), "busybox");
        File.WriteAllText(Path.Combine(r, "etc", "hostname"), "rootfs-test\n");
        rootfs?.Invoke(r);
        var cfg = JsonNode.Parse(DefaultConfig)!.AsObject();
        edit?.Invoke(cfg);
        File.WriteAllText(Path.Combine(b, "config.json"), cfg.ToJsonString());
        return b;
    }

    /// <summary>Runs the driver on a bundle and returns its exit code and output; checks the host kept its mounts.</summary>
    public (int Code, string Out, string Err) Run(string bundle, string[] flags, params string[] cmd)
    {
        var before = File.ReadAllText("/proc/self/mountinfo");
        var args = new List<string> { "--mount", "--pid", "--fork", "--propagation", "private", Driver };
        args.AddRange(flags);
        args.Add(Path.Combine(bundle, "config.json"));
        args.Add(Path.Combine(bundle, "rootfs"));
        if (cmd.Length > 0) { args.Add("--"); args.AddRange(cmd); }
        var result = Exec("unshare", args);
        var after = File.ReadAllText("/proc/self/mountinfo");
        Assert.DoesNotContain(Work, after);
        Assert.Equal(before.Split('\n').Length, after.Split('\n').Length);
        return result;
    }

    public (int Code, string Out, string Err) Sh(string bundle, string script, params string[] flags) =>
        Run(bundle, flags, "/bin/sh", "-c", script);

    public static (int, string, string) Exec(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000)) { p.Kill(true); throw new TimeoutException(file); }
        return (p.ExitCode, o.Result, e.Result);
    }

    /// <summary>The parts of `runc spec` output that the filesystem setup reads.</summary>
    const string DefaultConfig = """
    {
      "ociVersion": "1.0.2-dev",
      "root": { "path": "rootfs", "readonly": true },
      "mounts": [
        { "destination": "/proc", "type": "proc", "source": "proc" },
        { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid","strictatime","mode=755","size=65536k"] },
        { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"] },
        { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid","noexec","nodev","mode=1777","size=65536k"] },
        { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid","noexec","nodev"] },
        { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid","noexec","nodev","ro"] },
        { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid","noexec","nodev","relatime","ro"] }
      ],
      "linux": {
        "maskedPaths": ["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list",
                        "/proc/timer_stats","/proc/sched_debug","/sys/firmware","/proc/scsi"],
        "readonlyPaths": ["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]
      }
    }
    """;
}

[CollectionDefinition("rootfs-driver")]
public sealed class DriverCollection : ICollectionFixture<DriverFixture>;
