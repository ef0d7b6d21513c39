using NRunc.Cgroups.Common;
using NRunc.Cgroups.Systemd;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Cgroups;

/// <summary>linux.resources as systemd unit properties, the values runc sends for the same config.</summary>
public class SystemdPropertiesTests
{
    static string Props(IEnumerable<UnitProperty> p) => string.Join("; ", p.Select(x => x.ToString()));

    [Theory]
    [InlineData(25000L, 50000UL, "CPUQuotaPeriodUSec=50000; CPUQuotaPerSecUSec=500000")]
    [InlineData(12345L, 0UL, "CPUQuotaPerSecUSec=130000")] // rounded up to 10 ms, default period
    [InlineData(-1L, 100000UL, "CPUQuotaPeriodUSec=100000; CPUQuotaPerSecUSec=18446744073709551615")]
    [InlineData(0L, 0UL, "")]
    public void Cpu_quota_is_per_second_and_the_period_is_its_own_property(long quota, ulong period, string expected)
    {
        var r = new LinuxResources { Cpu = new LinuxCpu { Quota = quota, Period = period } };
        Assert.Equal(expected, Props(UnitProperties.ForResources(r, unified: true)));
    }

    [Fact]
    public void Cpusets_are_properties_only_on_the_unified_hierarchy()
    {
        var r = new LinuxResources { Cpu = new LinuxCpu { Cpus = "0-1", Mems = "0" } };
        Assert.Equal("AllowedCPUs=[03]; AllowedMemoryNodes=[01]", Props(UnitProperties.ForResources(r, unified: true)));
        Assert.Empty(UnitProperties.ForResources(r, unified: false));
    }

    [Fact]
    public void Default_device_rules_are_a_strict_allow_list()
    {
        var procDevices = Path.GetTempFileName();
        try
        {
            File.WriteAllText(procDevices, "Character devices:\n  1 mem\n136 pts\n\nBlock devices:\n  7 loop\n");
            var p = DeviceProperties.For(DeviceRules.Build(null, null), procDevices);
            Assert.Equal("DevicePolicy=strict; DeviceAllow=[char-* m block-* m /dev/char/1:3 rwm /dev/char/1:8 rwm /dev/char/1:7 rwm "
                + "/dev/char/5:0 rwm /dev/char/1:5 rwm /dev/char/1:9 rwm char-pts rwm /dev/char/5:2 rwm /dev/char/10:200 rwm]", Props(p));
        }
        finally { File.Delete(procDevices); }
    }

    [Fact]
    public void Allow_all_is_policy_auto_and_a_denied_read_keeps_the_rest()
    {
        var all = new List<LinuxDeviceCgroup> { new() { Allow = true, Access = "rwm" } };
        Assert.Equal("DevicePolicy=auto; DeviceAllow=[]", Props(DeviceProperties.For(DeviceRules.Build(all, null), "/nonexistent")));
        var narrowed = new List<LinuxDeviceCgroup> { new() { Allow = true, Type = "c", Major = 10, Minor = 229, Access = "rw" } };
        var p = Props(DeviceProperties.For(DeviceRules.Build(narrowed, null), "/nonexistent"));
        Assert.Contains("/dev/char/10:229 rw", p);
        Assert.DoesNotContain("pts", p); // no /proc/devices name for 136: left to the cgroup files
    }
}
