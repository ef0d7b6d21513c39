using NRunc.Container;
using NRunc.Container.Operations;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.State;

public class OperationsTests
{
    [Theory]
    [InlineData("5s", 5000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90000)]
    [InlineData("1.5s", 1500)]
    [InlineData("1h", 3600000)]
    public void Durations(string s, double ms) => Assert.Equal(ms, EventsOperation.ParseDuration(s).TotalMilliseconds);

    [Theory]
    [InlineData("5")]
    [InlineData("x")]
    [InlineData("5y")]
    public void BadDurations(string s) => Assert.Throws<ContainerException>(() => EventsOperation.ParseDuration(s));

    [Fact]
    public void Oom_event_is_runcs_json_line() =>
        Assert.Equal("{\"type\":\"oom\",\"id\":\"c1\"}\n", EventsOperation.OomLine("c1"));

    [Theory]
    [InlineData("512", 512)]
    [InlineData("10k", 10240)]
    [InlineData("64m", 64L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("100MB", 100L << 20)]
    public void RamSizes(string s, long bytes) => Assert.Equal(bytes, UpdateOperation.ParseRamBytes(s));

    [Fact]
    public void MergeKeepsUnsetFields()
    {
        var current = new LinuxResources { Memory = new LinuxMemory { Limit = 100, Swap = 200 }, Cpu = new LinuxCpu { Shares = 2 } };
        var merged = UpdateOperation.Merge(current, new LinuxResources { Memory = new LinuxMemory { Limit = 300 }, Pids = new LinuxPids { Limit = 5 } });
        Assert.Equal(300, merged.Memory!.Limit);
        Assert.Equal(200, merged.Memory.Swap);
        Assert.Equal(2UL, merged.Cpu!.Shares);
        Assert.Equal(5, merged.Pids!.Limit);
    }

    [Fact]
    public void CheckpointOfUnknownSaysDoesNotExist()
    {
        var store = new NRunc.Container.State.StateStore(Path.Combine(Path.GetTempPath(), "nrunc-none-" + Guid.NewGuid().ToString("N")));
        Assert.Throws<ContainerNotFoundException>(() => CheckpointOperation.Checkpoint(store, "x"));
    }

    [Fact]
    public void FeaturesListTheImplementedSets()
    {
        var f = FeaturesOperation.Build();
        Assert.Equal("1.0.0", f.OciVersionMin);
        Assert.Equal("1.3.0", f.OciVersionMax);
        Assert.Equal(ImplementedFeatures.Namespaces, f.Linux!.Namespaces);
        Assert.Equal(ImplementedFeatures.Hooks, f.Hooks);
    }
}
