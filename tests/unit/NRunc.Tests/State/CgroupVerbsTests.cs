using System.Diagnostics;
using NRunc.Container;
using NRunc.Container.Operations;
using NRunc.Container.State;
using Xunit;

namespace NRunc.Tests.State;

/// <summary>
/// pause, resume, ps, events, update, kill --all and delete on real cgroup v1 directories (created under a private
/// parent and removed again) holding a real `sleep`. Skipped (passes vacuously) where cgroup v1 or root is missing.
/// </summary>
public class CgroupVerbsTests : IDisposable
{
    static readonly string[] Controllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"];
    readonly string _parent = "nrunc-test-cli-" + Guid.NewGuid().ToString("N")[..8];
    readonly string _root = Path.Combine(Path.GetTempPath(), "nrunc-cgverbs-" + Guid.NewGuid().ToString("N"));
    readonly StateStore _store;
    readonly Process? _sleep;
    readonly bool _available;

    public CgroupVerbsTests()
    {
        _store = new StateStore(_root);
        _available = NRunc.Native.Libc.StateGeteuid() == 0 && Controllers.All(c => File.Exists($"/sys/fs/cgroup/{c}/cgroup.procs"));
        if (!_available) return;
        foreach (var c in Controllers)
        {
            var dir = Dir(c);
            Directory.CreateDirectory(dir);
            if (c == "cpuset")
            {
                foreach (var f in new[] { "cpuset.cpus", "cpuset.mems" })
                {
                    var v = File.ReadAllText($"/sys/fs/cgroup/cpuset/{f}");
                    File.WriteAllText($"/sys/fs/cgroup/cpuset/{_parent}/{f}", v);
                    File.WriteAllText(Path.Combine(dir, f), v);
                }
            }
        }
        _sleep = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        foreach (var c in Controllers) File.WriteAllText(Path.Combine(Dir(c), "cgroup.procs"), _sleep.Id.ToString());
    }

    string Dir(string c) => $"/sys/fs/cgroup/{c}/{_parent}/c1";

    public void Dispose()
    {
        if (_sleep is not null)
        {
            try { File.WriteAllText(Path.Combine(Dir("freezer"), "freezer.state"), "THAWED"); } catch (IOException) { }
            try { if (!_sleep.HasExited) { _sleep.Kill(); _sleep.WaitForExit(); } } catch (InvalidOperationException) { }
            _sleep.Dispose();
        }
        if (_available)
        {
            foreach (var c in Controllers)
            {
                for (int i = 0; i < 50; i++)
                {
                    try
                    {
                        if (Directory.Exists(Dir(c))) Directory.Delete(Dir(c));
                        if (Directory.Exists($"/sys/fs/cgroup/{c}/{_parent}")) Directory.Delete($"/sys/fs/cgroup/{c}/{_parent}");
                        break;
                    }
                    catch (IOException) { Thread.Sleep(20); }
                }
            }
        }
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    void Save()
    {
        _store.CreateContainerDir("c1");
        var r = new ContainerRecord
        {
            Id = "c1", InitPid = _sleep!.Id, InitStartTime = ProcStat.Read(_sleep.Id)!.Value.StartTime, Bundle = "/b",
            Rootfs = "/b/rootfs", Created = DateTimeOffset.UtcNow,
            CgroupPaths = Controllers.ToDictionary(c => c, Dir),
        };
        _store.Save(r);
    }

    [Fact]
    public void PauseResumePsEventsUpdateKillAllDelete()
    {
        if (!_available) return;
        Assert.True(Directory.Exists(Dir("freezer")));
        Save();
        Assert.Equal([_sleep!.Id], PsOperation.Pids(_store, "c1"));

        PauseOperation.Pause(_store, "c1");
        Assert.Equal("paused", StateOperation.Get(_store, "c1").Status);
        Assert.Equal("container not running", Assert.Throws<ContainerException>(() => PauseOperation.Pause(_store, "c1")).Message);
        Assert.Equal("cannot delete container c1 that is not stopped: paused",
            Assert.Throws<ContainerException>(() => DeleteOperation.Delete(_store, "c1", force: false)).Message);
        PauseOperation.Resume(_store, "c1");
        Assert.Equal("running", StateOperation.Get(_store, "c1").Status);
        Assert.Equal("container not paused", Assert.Throws<ContainerException>(() => PauseOperation.Resume(_store, "c1")).Message);

        var line = EventsOperation.StatsLine(_store, "c1");
        using (var doc = System.Text.Json.JsonDocument.Parse(line))
        {
            Assert.Equal("stats", doc.RootElement.GetProperty("type").GetString());
            Assert.Equal("c1", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal(1, doc.RootElement.GetProperty("data").GetProperty("pids").GetProperty("current").GetInt32());
        }

        UpdateOperation.Update(_store, "c1", new NRunc.Spec.LinuxResources
        {
            Memory = new NRunc.Spec.LinuxMemory { Limit = 64L << 20 }, Pids = new NRunc.Spec.LinuxPids { Limit = 50 },
        });
        Assert.Equal("67108864", File.ReadAllText(Path.Combine(Dir("memory"), "memory.limit_in_bytes")).Trim());
        Assert.Equal("50", File.ReadAllText(Path.Combine(Dir("pids"), "pids.max")).Trim());

        KillOperation.Kill(_store, "c1", KillOperation.SIGKILL, all: true);
        Assert.True(_sleep.WaitForExit(5000));
        Assert.Equal("stopped", StateOperation.Get(_store, "c1").Status);

        DeleteOperation.Delete(_store, "c1", force: false);
        Assert.False(_store.Exists("c1"));
        Assert.All(Controllers, c => Assert.False(Directory.Exists(Dir(c))));
    }

    [Fact]
    public void ForceDeleteOfPausedContainerKillsAndRemovesCgroups()
    {
        if (!_available) return;
        Save();
        PauseOperation.Pause(_store, "c1");
        DeleteOperation.Delete(_store, "c1", force: true);
        Assert.True(_sleep!.WaitForExit(5000));
        Assert.False(_store.Exists("c1"));
        Assert.All(Controllers, c => Assert.False(Directory.Exists(Dir(c))));
    }
}
