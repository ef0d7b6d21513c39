using NRunc.Cgroups;
using NRunc.Cgroups.Common;
using NRunc.Cgroups.Fs2;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Cgroups;

/// <summary>
/// The cgroup v2 device filter: the v1 rule semantics it reproduces, and the instruction encoding against golden
/// files (golden/cgroups/NAME.txt; UPDATE_GOLDEN=1 rewrites them).
/// </summary>
public class DeviceFilterTests
{
    const long W = DeviceRule.Wildcard;

    static string Golden(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NRunc.sln")))
                return Path.Combine(d.FullName, "tests", "unit", "NRunc.Tests", "golden", "cgroups", name + ".txt");
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    static void AssertGolden(string name, string actual)
    {
        var path = Golden(name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; actual:\n{actual}");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Fact]
    public void Container_defaults_compile_to_the_golden_program()
    {
        var rules = DeviceRules.Build(null, [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }]);
        var set = DeviceRuleSet.From(rules);
        Assert.False(set.DefaultAllow);
        AssertGolden("devices-default", DeviceFilter.Dump(DeviceFilter.Compile(set)));
    }

    [Fact]
    public void Allow_all_with_denied_exceptions_compiles_to_the_golden_program()
    {
        var rules = DeviceRules.Build(
        [
            new LinuxDeviceCgroup { Allow = true, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 1, Access = "w" },
            new LinuxDeviceCgroup { Allow = false, Type = "b", Major = 8, Access = "rwm" },
        ], null);
        var set = DeviceRuleSet.From(rules);
        Assert.True(set.DefaultAllow);
        AssertGolden("devices-blacklist", DeviceFilter.Dump(DeviceFilter.Compile(set)));
    }

    [Fact]
    public void Later_rules_add_and_remove_access_bits_of_the_same_device_and_a_resets()
    {
        var set = DeviceRuleSet.From(
        [
            new(false, 'a', W, W, "rwm"),
            new(true, 'c', 1, 3, "r"),
            new(true, 'c', 1, 3, "w"),    // merged: c 1:3 rw
            new(true, 'c', 1, 5, "rwm"),
            new(false, 'c', 1, 5, "rwm"), // removed
            new(false, 'c', 1, 3, "r"),   // left: c 1:3 w
            new(true, 'b', 8, W, "m"),
        ]);
        Assert.False(set.DefaultAllow);
        Assert.Equal([new('c', 1, 3, DeviceRuleSet.Write), new('b', 8, W, DeviceRuleSet.Mknod)], set.Exceptions);
        set.Apply(new(true, 'a', W, W, "rwm"));
        Assert.True(set.DefaultAllow);
        Assert.Empty(set.Exceptions);
    }

    [Fact]
    public void Encoding_is_little_endian_struct_bpf_insn()
    {
        var p = DeviceFilter.Compile(DeviceRuleSet.From([new(false, 'a', W, W, "rwm")]));
        // prologue (6) + r0 = 0 + exit
        Assert.Equal(8, p.Count);
        var b = DeviceFilter.Bytes(p);
        Assert.Equal(new byte[] { 0x61, 0x12, 0, 0, 0, 0, 0, 0 }, b[..8]);           // r2 = *(u32 *)(r1 + 0)
        Assert.Equal(new byte[] { 0x54, 0x02, 0, 0, 0xff, 0xff, 0, 0 }, b[8..16]);   // w2 &= 0xffff
        Assert.Equal(new byte[] { 0xb7, 0, 0, 0, 0, 0, 0, 0 }, b[48..56]);            // r0 = 0
        Assert.Equal(new byte[] { 0x95, 0, 0, 0, 0, 0, 0, 0 }, b[56..64]);            // exit
    }

    [Fact]
    public void Device_numbers_out_of_range_are_an_error() =>
        Assert.Throws<CgroupException>(() => DeviceFilter.Compile(DeviceRuleSet.From(
            [new(false, 'a', W, W, "rwm"), new(true, 'c', 1L << 40, 1, "r")])));

    /// <summary>A cgroup2 mount to attach to: /sys/fs/cgroup on v2, /sys/fs/cgroup/unified on a hybrid host.</summary>
    static string? Cgroup2Mount() =>
        CgroupTestHost.IsUnified ? "/sys/fs/cgroup"
        : File.Exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified" : null;

    [Fact]
    public void The_kernel_verifier_accepts_the_filter_and_an_update_replaces_it()
    {
        if (!CgroupTestHost.IsRoot || Cgroup2Mount() is not { } mount) return; // needs root and a cgroup2 mount
        var dir = Path.Combine(mount, CgroupTestHost.NewName());
        Directory.CreateDirectory(dir);
        try
        {
            var rules = DeviceRules.Build(null, []);
            Fs2Devices.Set(dir, rules);
            var first = Fs2Devices.Attached(dir);
            Assert.Single(first);
            Fs2Devices.Set(dir, DeviceRules.Build([new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 1, Access = "r" }], []));
            var second = Fs2Devices.Attached(dir);
            Assert.Single(second);
            Assert.NotEqual(first[0], second[0]);
        }
        finally { Directory.Delete(dir); }
    }
}
