using System.Text.Json;
using NRunc.Cgroups;
using NRunc.Cgroups.Stats;
using Xunit;

namespace NRunc.Tests.Cgroups;

public class StatsTests
{
    [Fact]
    public void Flat_keyed_parses_numbers_and_max()
    {
        var d = StatParsers.FlatKeyed("cache 4096\nrss 57344\nfoo max\nbad x\n\n");
        Assert.Equal(4096UL, d["cache"]);
        Assert.Equal(ulong.MaxValue, d["foo"]);
        Assert.False(d.ContainsKey("bad"));
    }

    [Fact]
    public void Blkio_entries_skip_total()
    {
        var l = StatParsers.BlkioEntries("254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\nTotal 12288\n");
        Assert.Equal(3, l.Count);
        Assert.Equal((254UL, 0UL, "Write", 8192UL), (l[1].Major, l[1].Minor, l[1].Op!, l[1].Value));
    }

    [Fact]
    public void Io_stat_maps_to_v1_shape()
    {
        var (bytes, ios) = StatParsers.IoStat("254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        Assert.Equal(["Read", "Write", "Discard"], bytes.Select(b => b.Op));
        Assert.Equal(8192UL, bytes[1].Value);
        Assert.Equal(2UL, ios[1].Value);
    }

    [Fact]
    public void Cpu_list_and_usage_all()
    {
        Assert.Equal([0, 1, 2, 5], StatParsers.CpuList("0-2,5\n").Select(x => (int)x));
        var (user, kernel) = StatParsers.UsageAll("cpu user system\n0 100 200\n1 300 400\n");
        Assert.Equal([100UL, 300UL], user);
        Assert.Equal([200UL, 400UL], kernel);
    }

    [Theory]
    [InlineData("hugepages-2048kB", "2MB")]
    [InlineData("hugepages-1048576kB", "1GB")]
    [InlineData("hugepages-64kB", "64KB")]
    public void Hugepage_size_names(string dir, string name) => Assert.Equal(name, StatParsers.HugePageSizeName(dir));

    [Fact]
    public void Json_shape_matches_runc_for_empty_stats()
    {
        var json = JsonSerializer.Serialize(new CgroupStats(), CgroupStatsJsonContext.Default.CgroupStats);
        Assert.Equal("""{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},"pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}""", json);
    }

    [Fact]
    public void Json_shape_matches_runc_for_filled_stats()
    {
        var s = new CgroupStats();
        s.Cpu.Usage.Total = 13320128; s.Cpu.Usage.Percpu = [3034482, 10285646]; s.Cpu.Throttling.Periods = 2;
        s.Pids.Current = 1; s.Pids.Limit = 50;
        s.Memory.Cache = 4096; s.Memory.Usage = new MemoryEntry { Limit = 67108864, Usage = 585728, Max = 2252800 };
        s.Memory.Raw = new SortedDictionary<string, ulong>(StringComparer.Ordinal) { ["rss"] = 1, ["cache"] = 2 };
        var json = JsonSerializer.Serialize(s, CgroupStatsJsonContext.Default.CgroupStats);
        Assert.Contains("""{"cpu":{"usage":{"total":13320128,"percpu":[3034482,10285646],"kernel":0,"user":0},"throttling":{"periods":2}}""", json);
        Assert.Contains("""
            "memory":{"cache":4096,"usage":{"limit":67108864,"usage":585728,"max":2252800,"failcnt":0}
            """.Trim(), json);
        Assert.Contains("\"raw\":{\"cache\":2,\"rss\":1}", json);
        Assert.Contains("\"pids\":{\"current\":1,\"limit\":50}", json);
    }

    [Fact]
    public void Rdma_entries_with_max()
    {
        var l = StatParsers.RdmaEntries("mlx4_0 hca_handle=2 hca_object=2000\nocrdma1 hca_handle=max hca_object=max\n");
        Assert.Equal(new RdmaEntry("mlx4_0", 2, 2000), l[0]);
        Assert.Equal(new RdmaEntry("ocrdma1", uint.MaxValue, uint.MaxValue), l[1]);
    }

    [Fact]
    public void Shim_only_fields_stay_out_of_runcs_json()
    {
        var s = new CgroupStats { Rdma = new RdmaStats { Current = [new("d", 1, 1)] } };
        s.Memory.SwapOnly = new MemoryEntry { Usage = 7 };
        s.Memory.Events = new() { ["oom_kill"] = 1 };
        s.Hugetlb["2MB"] = new HugetlbStats { Usage = 1, Limit = 9 };
        var json = JsonSerializer.Serialize(s, CgroupStatsJsonContext.Default.CgroupStats);
        Assert.DoesNotContain("rdma", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("oom_kill", json);
        Assert.DoesNotContain("SwapOnly", json);
        Assert.Contains("\"hugetlb\":{\"2MB\":{\"usage\":1,\"failcnt\":0}}", json);
    }
}
