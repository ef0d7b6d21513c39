using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Spec;

public class SpecTablesTests
{
    [Theory]
    [InlineData("9", 9)]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("sigkill", 9)]
    [InlineData("kill", 9)]
    [InlineData("TERM", 15)]
    [InlineData("SIGTERM", 15)]
    [InlineData("hup", 1)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("WINCH", 28)]
    [InlineData("SIGSYS", 31)]
    [InlineData("IOT", 6)]
    [InlineData("0", 0)]
    [InlineData("64", 64)]
    [InlineData("SIGRTMIN", 34)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX-1", 63)]
    [InlineData("sigrtmax", 64)]
    public void SignalsParse(string raw, int expected) => Assert.Equal(expected, Signals.Parse(raw));

    [Theory]
    [InlineData("")]
    [InlineData("FOO")]
    [InlineData("SIGFOO")]
    [InlineData("-9")]
    [InlineData("65")]
    [InlineData("9x")]
    [InlineData("RTMIN+31")]
    [InlineData("SIGRTMAX-")]
    public void SignalsRejectUnknown(string raw)
    {
        var ex = Assert.Throws<FormatException>(() => Signals.Parse(raw));
        Assert.Equal($"unknown signal \"{raw}\"", ex.Message);
    }

    [Fact]
    public void SignalNamesRoundTrip()
    {
        for (int s = 1; s <= 64; s++)
        {
            if (s is 32 or 33) continue; // reserved by libc, no name
            Assert.Equal(s, Signals.Parse(Signals.Name(s)));
        }
        Assert.Equal("SIGKILL", Signals.Name(9));
        Assert.Equal("SIGRTMIN+2", Signals.Name(36));
        Assert.Equal("SIGRTMAX-2", Signals.Name(62));
    }

    [Fact]
    public void CapabilitiesTable()
    {
        Assert.Equal(41, Capabilities.All.Count);
        Assert.Equal(0, Capabilities.All["CAP_CHOWN"]);
        Assert.Equal(21, Capabilities.All["CAP_SYS_ADMIN"]);
        Assert.Equal(38, Capabilities.All["CAP_PERFMON"]);
        Assert.Equal(39, Capabilities.All["CAP_BPF"]);
        Assert.Equal(40, Capabilities.All["CAP_CHECKPOINT_RESTORE"]);
        Assert.Equal(-1, Capabilities.Parse("CAP_FLY"));
        Assert.Equal(-1, Capabilities.Parse("cap_kill"));
        Assert.Equal(5, Capabilities.ParseLenient("kill"));
        Assert.Equal(5, Capabilities.ParseLenient("cap_kill"));
        Assert.Equal("CAP_NET_RAW", Capabilities.Name(13));
        Assert.Null(Capabilities.Name(41));
    }

    [Fact]
    public void CapabilitiesMatchKernelHeader()
    {
        // /usr/include/linux/capability.h from linux-libc-dev, when installed.
        const string header = "/usr/include/linux/capability.h";
        if (!File.Exists(header)) return;
        int checkedCount = 0;
        foreach (var line in File.ReadLines(header))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "#define" && parts[1].StartsWith("CAP_") && int.TryParse(parts[2], out int bit))
            {
                if (Capabilities.All.TryGetValue(parts[1], out int ours)) { Assert.Equal(bit, ours); checkedCount++; }
            }
        }
        Assert.True(checkedCount >= 38, $"only {checkedCount} capabilities checked");
    }

    [Fact]
    public void RlimitsTable()
    {
        Assert.Equal(7, Rlimits.Parse("RLIMIT_NOFILE"));
        Assert.Equal(0, Rlimits.Parse("RLIMIT_CPU"));
        Assert.Equal(15, Rlimits.Parse("RLIMIT_RTTIME"));
        Assert.Equal(6, Rlimits.Parse("RLIMIT_NPROC"));
        Assert.Equal(-1, Rlimits.Parse("RLIMIT_FOO"));
        Assert.Equal("RLIMIT_CORE", Rlimits.Name(4));
    }

    [Fact]
    public void NamespaceTable()
    {
        Assert.Equal(0x20000000, NamespaceTypes.ToCloneFlag("pid"));
        Assert.Equal(0x00020000, NamespaceTypes.ToCloneFlag("mount"));
        Assert.Equal(0x00000080, NamespaceTypes.ToCloneFlag("time"));
        Assert.Equal(0, NamespaceTypes.ToCloneFlag("pidd"));
        Assert.Equal("network", NamespaceTypes.FromCloneFlag(0x40000000));
        Assert.Equal("mnt", NamespaceTypes.ProcFileName("mount"));
        Assert.Equal("net", NamespaceTypes.ProcFileName("network"));
        foreach (var n in NamespaceTypes.Names)
            Assert.Equal(n, NamespaceTypes.FromCloneFlag(NamespaceTypes.ToCloneFlag(n)));
    }
}
