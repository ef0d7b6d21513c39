using NRunc.Cgroups;
using NRunc.Cgroups.Common;
using NRunc.Cgroups.Fs2;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Cgroups;

public class ConversionTests
{
    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(512UL, 20UL)]
    [InlineData(262144UL, 10000UL)]
    public void Cpu_shares_to_weight(ulong shares, ulong weight) => Assert.Equal(weight, Conversions.CpuSharesToWeight(shares));

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(10UL, 1UL)]
    [InlineData(500UL, 4950UL)]
    [InlineData(1000UL, 10000UL)]
    public void Blkio_weight_to_io_weight(ulong w, ulong io) => Assert.Equal(io, Conversions.BlkioWeightToIoWeight(w));

    [Theory]
    [InlineData(0L, 0L, 0L)]
    [InlineData(0L, -1L, -1L)]        // unlimited memory, swap unset: swap unlimited too
    [InlineData(-1L, 100L, -1L)]
    [InlineData(200L, 100L, 100L)]     // OCI swap is memory+swap
    [InlineData(100L, 100L, 0L)]
    public void Memory_swap_to_v2(long swap, long memory, long expected) => Assert.Equal(expected, Conversions.MemorySwapToV2(swap, memory));

    [Fact]
    public void Memory_swap_to_v2_errors()
    {
        Assert.Contains("without memory limit", Assert.Throws<CgroupException>(() => Conversions.MemorySwapToV2(100, 0)).Message);
        Assert.Contains("should be >= memory limit", Assert.Throws<CgroupException>(() => Conversions.MemorySwapToV2(50, 100)).Message);
    }

    [Theory]
    [InlineData(0L, 0UL, null)]
    [InlineData(50000L, 100000UL, "50000 100000")]
    [InlineData(-1L, 100000UL, "max 100000")]
    [InlineData(20000L, 0UL, "20000")]
    [InlineData(0L, 50000UL, "max 50000")]
    public void Cpu_max_value(long quota, ulong period, string? expected) => Assert.Equal(expected, Fs2Cpu.MaxValue(quota, period));

    [Fact]
    public void Num_to_str()
    {
        Assert.Null(Conversions.NumToStr(0));
        Assert.Equal("max", Conversions.NumToStr(-1));
        Assert.Equal("5", Conversions.NumToStr(5));
    }

    [Fact]
    public void Device_rules_deny_all_then_spec_then_defaults_then_devices()
    {
        var rules = DeviceRules.Build(
            [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 4, Access = "rw" }],
            [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }]);
        var lines = rules.Select(r => (r.Allow ? "allow " : "deny ") + r.Line).ToList();
        Assert.Equal("deny a *:* rwm", lines[0]);
        Assert.Equal("deny a *:* rwm", lines[1]);
        Assert.Equal("allow c 4:* rw", lines[2]);
        Assert.Equal("allow c *:* m", lines[3]);
        Assert.Contains("allow c 1:3 rwm", lines);
        Assert.Contains("allow c 136:* rwm", lines);
        Assert.Equal("allow c 10:229 rwm", lines[^1]);
        Assert.Equal(2 + 1 + DeviceRules.DefaultAllowed.Count + 1, lines.Count);
    }

    [Fact]
    public void Device_rule_errors_name_the_json_path()
    {
        var e = Assert.Throws<CgroupException>(() => DeviceRules.Build([new LinuxDeviceCgroup { Type = "x" }], null));
        Assert.StartsWith("linux.resources.devices[0].type", e.Message);
        e = Assert.Throws<CgroupException>(() => DeviceRules.Build([new LinuxDeviceCgroup { Type = "c", Access = "rwx" }], null));
        Assert.StartsWith("linux.resources.devices[0].access", e.Message);
    }
}
