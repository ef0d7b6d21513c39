using NRunc.Container;
using NRunc.Container.State;
using Xunit;

namespace NRunc.Tests.State;

public class StateStoreTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "nrunc-state-" + Guid.NewGuid().ToString("N"));
    readonly StateStore _store;

    public StateStoreTests() => _store = new StateStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b-c_d+e")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("...")]
    public void ValidIds(string id) => StateStore.ValidateId(id);

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("é")]
    [InlineData("a:b")]
    [InlineData("../x")]
    public void InvalidIds(string id)
    {
        var e = Assert.Throws<ContainerException>(() => StateStore.ValidateId(id));
        Assert.Equal($"invalid id format: {id}", e.Message);
    }

    static ContainerRecord Sample(string id) => new()
    {
        Id = id,
        InitPid = 1234,
        InitStartTime = 98765,
        Bundle = "/b",
        Rootfs = "/b/rootfs",
        Created = new DateTimeOffset(2026, 11, 25, 13, 0, 0, 123, TimeSpan.Zero),
        Owner = "root",
        Annotations = new() { ["k"] = "v" },
        CgroupPaths = new() { ["memory"] = "/sys/fs/cgroup/memory/x", [""] = "/sys/fs/cgroup/unified/x" },
        SystemdCgroup = true,
        Rootless = true,
        ConfigPath = "/run/nrunc/x/config.json",
        Extra = new() { ["netns"] = "/proc/1/ns/net" },
    };

    [Fact]
    public void SaveLoadRoundTripsEveryField()
    {
        _store.CreateContainerDir("c1");
        var r = Sample("c1");
        _store.Save(r);
        var back = _store.Load("c1");
        Assert.Equal(r.InitPid, back.InitPid);
        Assert.Equal(r.InitStartTime, back.InitStartTime);
        Assert.Equal(r.Bundle, back.Bundle);
        Assert.Equal(r.Rootfs, back.Rootfs);
        Assert.Equal(r.Created, back.Created);
        Assert.Equal(r.Owner, back.Owner);
        Assert.Equal(r.Annotations, back.Annotations);
        Assert.Equal(r.CgroupPaths, back.CgroupPaths);
        Assert.True(back.SystemdCgroup);
        Assert.True(back.Rootless);
        Assert.Equal(r.ConfigPath, back.ConfigPath);
        Assert.Equal(r.Extra, back.Extra);
        Assert.True(_store.Exists("c1"));
        // Only state.json is left: the temp file was renamed over it.
        Assert.Equal(["state.json"], Directory.GetFiles(_store.ContainerDir("c1")).Select(Path.GetFileName).ToArray());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_store.ContainerDir("c1"), "state.json")));
    }

    [Fact]
    public void SaveReplacesAtomically()
    {
        _store.CreateContainerDir("c1");
        var r = Sample("c1");
        _store.Save(r);
        r.InitPid = 42;
        _store.Save(r);
        Assert.Equal(42, _store.Load("c1").InitPid);
    }

    [Fact]
    public void LoadUnknownIsNotFound()
    {
        var e = Assert.Throws<ContainerNotFoundException>(() => _store.Load("nope"));
        Assert.Contains("does not exist", e.Message);
        _store.CreateContainerDir("empty");
        Assert.Throws<ContainerNotFoundException>(() => _store.Load("empty"));
        Assert.False(_store.Exists("empty"));
    }

    [Fact]
    public void CorruptStateIsAClearError()
    {
        var dir = _store.CreateContainerDir("bad");
        File.WriteAllText(Path.Combine(dir, "state.json"), "{not json");
        var e = Assert.Throws<ContainerException>(() => _store.Load("bad"));
        Assert.Contains("corrupt state", e.Message);
    }

    [Fact]
    public void CreateContainerDirIsExclusiveAndPrivate()
    {
        var dir = _store.CreateContainerDir("c1");
        Assert.True(Directory.Exists(dir));
        var mode = File.GetUnixFileMode(dir);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute, mode);
        var e = Assert.Throws<ContainerException>(() => _store.CreateContainerDir("c1"));
        Assert.Equal("container with id exists: c1", e.Message);
    }

    [Fact]
    public void ListIdsOnlyContainersWithState()
    {
        Assert.Empty(_store.ListIds());
        foreach (var id in new[] { "a", "b", "c" })
        {
            _store.CreateContainerDir(id);
            if (id != "b") _store.Save(Sample(id));
        }
        Directory.CreateDirectory(Path.Combine(_root, "not valid"));
        File.WriteAllText(Path.Combine(_root, "not valid", "state.json"), "{}");
        Assert.Equal(["a", "c"], _store.ListIds().OrderBy(x => x).ToArray());
    }

    [Fact]
    public void RemoveDeletesEverythingAndIgnoresMissing()
    {
        var dir = _store.CreateContainerDir("c1");
        _store.Save(Sample("c1"));
        File.WriteAllText(Path.Combine(dir, "extra"), "x");
        _store.Remove("c1");
        Assert.False(Directory.Exists(dir));
        _store.Remove("c1");
    }

    [Fact]
    public void LockSerialisesOneId()
    {
        _store.CreateContainerDir("c1");
        var first = _store.Lock("c1");
        var second = Task.Run(() => _store.Lock("c1"));
        Assert.False(second.Wait(300));
        // Another id is independent.
        _store.CreateContainerDir("c2");
        using (_store.Lock("c2")) { }
        first.Dispose();
        Assert.True(second.Wait(5000));
        second.Result.Dispose();
    }

    [Fact]
    public void LockOfRemovedContainerIsNotFound()
    {
        Assert.Throws<ContainerNotFoundException>(() => _store.Lock("nope"));
        _store.CreateContainerDir("c1");
        var held = _store.Lock("c1");
        var waiter = Task.Run(() => _store.Lock("c1"));
        Assert.False(waiter.Wait(200));
        _store.Remove("c1");
        held.Dispose();
        var e = Assert.Throws<AggregateException>(() => waiter.Wait(5000));
        Assert.IsType<ContainerNotFoundException>(e.InnerException);
    }

    [Fact]
    public void OciStateHasRuncShape()
    {
        var s = Sample("c1").ToOciState(ContainerStatus.Running);
        Assert.Equal("1.3.0", s.OciVersion);
        Assert.Equal(1234, s.Pid);
        Assert.Equal("running", s.Status);
        Assert.Equal(0, Sample("c1").ToOciState(ContainerStatus.Stopped).Pid);
        var json = System.Text.Encoding.UTF8.GetString(NRunc.Container.Operations.StateOperation.ToJson(s));
        Assert.Equal("""
            {
              "ociVersion": "1.3.0",
              "id": "c1",
              "pid": 1234,
              "status": "running",
              "bundle": "/b",
              "rootfs": "/b/rootfs",
              "created": "2026-11-25T13:00:00.123Z",
              "annotations": {
                "k": "v"
              },
              "owner": "root"
            }
            """, json);
    }
}
