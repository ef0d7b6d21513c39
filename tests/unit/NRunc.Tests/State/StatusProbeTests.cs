using System.Diagnostics;
using NRunc.Container;
using NRunc.Container.Operations;
using NRunc.Container.State;
using Xunit;

namespace NRunc.Tests.State;

/// <summary>Status and signals against a real forked `sleep` process.</summary>
public class StatusProbeTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "nrunc-probe-" + Guid.NewGuid().ToString("N"));
    readonly StateStore _store;
    readonly Process _sleep;

    public StatusProbeTests()
    {
        _store = new StateStore(_root);
        _sleep = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
    }

    public void Dispose()
    {
        try { if (!_sleep.HasExited) { _sleep.Kill(); _sleep.WaitForExit(); } } catch (InvalidOperationException) { }
        _sleep.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    ContainerRecord Record(string id = "c1")
    {
        _store.CreateContainerDir(id);
        var st = ProcStat.Read(_sleep.Id);
        Assert.NotNull(st);
        var r = new ContainerRecord
        {
            Id = id, InitPid = _sleep.Id, InitStartTime = st!.Value.StartTime, Bundle = "/b", Rootfs = "/b/rootfs",
            Created = DateTimeOffset.UtcNow,
        };
        _store.Save(r);
        return r;
    }

    [Fact]
    public void ProcStatParsesNamesWithSpacesAndParens()
    {
        var line = "1234 (a) b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 777777 1000 100 18446744073709551615";
        var st = ProcStat.Parse(line);
        Assert.Equal('S', st!.Value.State);
        Assert.Equal(777777UL, st.Value.StartTime);
        Assert.Null(ProcStat.Parse("garbage"));
        Assert.Null(ProcStat.Read(0));
    }

    [Fact]
    public void CreatingWhenPidIsZero()
    {
        var r = Record();
        r.InitPid = 0;
        Assert.Equal(ContainerStatus.Creating, StatusProbe.Get(_store, r));
    }

    [Fact]
    public void RunningCreatedPausedStopped()
    {
        var r = Record();
        Assert.Equal(ContainerStatus.Running, StatusProbe.Get(_store, r));

        var fifo = Path.Combine(_store.ContainerDir("c1"), StateStore.ExecFifo);
        File.WriteAllText(fifo, "");
        Assert.Equal(ContainerStatus.Created, StatusProbe.Get(_store, r));
        File.Delete(fifo);

        // A v1 freezer dir whose state says FROZEN (a plain dir stands in for the cgroup).
        var freezer = Path.Combine(_root, "freezer");
        Directory.CreateDirectory(freezer);
        File.WriteAllText(Path.Combine(freezer, "freezer.state"), "FROZEN\n");
        r.CgroupPaths["freezer"] = freezer;
        Assert.Equal(ContainerStatus.Paused, StatusProbe.Get(_store, r));
        File.WriteAllText(Path.Combine(freezer, "freezer.state"), "THAWED\n");
        Assert.Equal(ContainerStatus.Running, StatusProbe.Get(_store, r));

        // v2: cgroup.freeze
        r.CgroupPaths.Clear();
        r.CgroupPaths[""] = freezer;
        File.WriteAllText(Path.Combine(freezer, "cgroup.freeze"), "1\n");
        Assert.Equal(ContainerStatus.Paused, StatusProbe.Get(_store, r));

        _sleep.Kill();
        _sleep.WaitForExit();
        Assert.Equal(ContainerStatus.Stopped, StatusProbe.Get(_store, r));
    }

    [Fact]
    public void ReusedPidIsStopped()
    {
        var r = Record();
        r.InitStartTime += 1;
        Assert.Equal(ContainerStatus.Stopped, StatusProbe.Get(_store, r));
        Assert.Equal(0, r.ToOciState(ContainerStatus.Stopped).Pid);
        // and it must not be signalled
        Assert.False(ProcessSignal.SignalInit(r, 9));
        Assert.False(_sleep.HasExited);
    }

    [Fact]
    public void StateVerbReadsTheRecord()
    {
        Record();
        var s = StateOperation.Get(_store, "c1");
        Assert.Equal("running", s.Status);
        Assert.Equal(_sleep.Id, s.Pid);
    }

    [Fact]
    public void ListSeesTheContainer()
    {
        Record("c1");
        Record("c2");
        var all = ListOperation.List(_store);
        Assert.Equal(2, all.Count);
        Assert.All(all, s => Assert.Equal("running", s.Status));
        Assert.All(all, s => Assert.NotEqual("", s.Owner));
        var table = ListOperation.ToTable(all);
        Assert.StartsWith("ID          PID         STATUS      BUNDLE      CREATED", table);
        Assert.Contains("c2          " + _sleep.Id, table);
    }

    [Fact]
    public void KillSignalsInitThroughPidfd()
    {
        Record();
        KillOperation.Kill(_store, "c1", 15, all: false);
        Assert.True(_sleep.WaitForExit(5000));
        var e = Assert.Throws<ContainerException>(() => KillOperation.Kill(_store, "c1", 15, all: false));
        Assert.Equal("container not running", e.Message);
    }

    [Fact]
    public void DeleteRefusesRunningWithoutForce()
    {
        Record();
        var e = Assert.Throws<ContainerException>(() => DeleteOperation.Delete(_store, "c1", force: false));
        Assert.Equal("cannot delete container c1 that is not stopped: running", e.Message);
        Assert.True(_store.Exists("c1"));
    }

    [Fact]
    public void DeleteForceKillsAndRemoves()
    {
        Record();
        DeleteOperation.Delete(_store, "c1", force: true);
        Assert.True(_sleep.WaitForExit(5000));
        Assert.False(Directory.Exists(Path.Combine(_root, "c1")));
    }

    [Fact]
    public void DeleteStoppedRemoves()
    {
        Record();
        _sleep.Kill();
        _sleep.WaitForExit();
        DeleteOperation.Delete(_store, "c1", force: false);
        Assert.False(Directory.Exists(Path.Combine(_root, "c1")));
    }

    [Fact]
    public void DeleteCreatedKillsWithoutForce()
    {
        Record();
        File.WriteAllText(Path.Combine(_store.ContainerDir("c1"), StateStore.ExecFifo), "");
        DeleteOperation.Delete(_store, "c1", force: false);
        Assert.True(_sleep.WaitForExit(5000));
        Assert.False(_store.Exists("c1"));
    }

    [Fact]
    public void DeleteRemovesDirWithoutState()
    {
        var dir = _store.CreateContainerDir("half");
        Assert.Throws<ContainerNotFoundException>(() => DeleteOperation.Delete(_store, "half", force: false));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void PsJsonWithoutCgroupIsInit()
    {
        Record();
        var pids = PsOperation.Pids(_store, "c1");
        Assert.Equal([_sleep.Id], pids);
        Assert.Equal($"[{_sleep.Id}]\n", PsOperation.ToJson(pids));
        var table = PsOperation.Table(pids, []);
        var lines = table.TrimEnd('\n').Split('\n');
        Assert.Contains("PID", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Contains("sleep 60", lines[1]);
    }

    [Fact]
    public void PsFilterKeepsHeaderAndMatchingPids()
    {
        var ps = "UID PID PPID CMD\nroot 1 0 init\nroot 42 1 sh\n";
        Assert.Equal("UID PID PPID CMD\nroot 42 1 sh\n", PsOperation.Filter(ps, [42]));
        Assert.Throws<ContainerException>(() => PsOperation.Filter("UID CMD\n", [1]));
    }
}
