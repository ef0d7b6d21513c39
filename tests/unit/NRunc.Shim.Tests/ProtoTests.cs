using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NRunc.Shim.Events;
using NRunc.Shim.Protos;
using Xunit;

namespace NRunc.Shim.Tests;

/// <summary>Wire compatibility with containerd: field numbers checked on hand-encoded bytes, and round trips.</summary>
public class ProtoTests
{
    [Fact]
    public void CreateTaskRequestRoundTrips()
    {
        var r = new CreateTaskRequest { Id = "c1", Bundle = "/b", Terminal = true, Stdout = "/f/out", Options = new Any { TypeUrl = "containerd.runc.v1.Options", Value = new Options { BinaryName = "/x/nrunc", Root = "/r" }.ToByteString() } };
        r.Rootfs.Add(new Mount { Type = "overlay", Source = "overlay", Options = { "lowerdir=/l", "upperdir=/u", "workdir=/w" } });
        var back = CreateTaskRequest.Parser.ParseFrom(r.ToByteArray());
        Assert.Equal(r, back);
        Assert.Equal("/x/nrunc", Options.Parser.ParseFrom(back.Options.Value).BinaryName);
    }

    [Fact]
    public void FieldNumbersMatchContainerd()
    {
        // KillRequest{id=1 "a", exec_id=2 "b", signal=3 9, all=4 true}
        var k = KillRequest.Parser.ParseFrom(new byte[] { 0x0a, 1, (byte)'a', 0x12, 1, (byte)'b', 0x18, 9, 0x20, 1 });
        Assert.Equal(("a", "b", 9u, true), (k.Id, k.ExecId, k.Signal, k.All));
        // StateResponse.exit_status is field 9, exec_id 11
        var s = new StateResponse { ExitStatus = 3, ExecId = "e" }.ToByteArray();
        Assert.Equal(new byte[] { 0x48, 3, 0x5a, 1, (byte)'e' }, s);
        // Options.binary_name 6, root 7, systemd_cgroup 9
        var o = new Options { BinaryName = "b", Root = "r", SystemdCgroup = true }.ToByteArray();
        Assert.Equal(new byte[] { 0x32, 1, (byte)'b', 0x3a, 1, (byte)'r', 0x48, 1 }, o);
        // ttrpc Request: service 1, method 2, payload 3, timeout_nano 4
        var req = new Request { Service = "s", Method = "m", Payload = ByteString.CopyFrom(7), TimeoutNano = 1 }.ToByteArray();
        Assert.Equal(new byte[] { 0x0a, 1, (byte)'s', 0x12, 1, (byte)'m', 0x1a, 1, 7, 0x20, 1 }, req);
    }

    [Fact]
    public void TaskExitEventRoundTripsAndRoutes()
    {
        var e = new TaskExit { ContainerId = "c", Id = "c", Pid = 42, ExitStatus = 137, ExitedAt = Timestamp.FromDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)) };
        Assert.Equal(e, TaskExit.Parser.ParseFrom(e.ToByteArray()));
        Assert.Equal(("/tasks/exit", "TaskExit"), Publisher.Route(e));
        Assert.Equal(("/tasks/exec-started", "TaskExecStarted"), Publisher.Route(new TaskExecStarted()));
        Assert.Equal(("/tasks/oom", "TaskOOM"), Publisher.Route(new TaskOOM()));
    }

    [Fact]
    public void MetricsUseTheCgroupsV1FieldNumbers()
    {
        var m = new NRunc.Shim.Protos.Cgroups.Metrics { Pids = new() { Current = 1 }, Memory = new() { Usage = new() { Usage = 5 } } };
        var b = m.ToByteArray();
        // pids = field 2 {current=1}, memory = field 4 {usage = field 33 {usage = field 2}}
        Assert.Equal(new byte[] { 0x12, 2, 0x08, 1, 0x22, 5, 0x8a, 0x02, 2, 0x10, 5 }, b);
    }
}
