using NRunc.Cli;
using Xunit;

namespace NRunc.Tests.Cli;

[Collection("cli")]
public class ArgParserTests
{
    static Invocation Parse(params string[] args)
    {
        var inv = App.Parse(args, TextWriter.Null, out _, out var answer);
        Assert.True(inv is not null, $"expected an invocation, got text: {answer}");
        return inv!;
    }

    static string Fails(params string[] args) => Assert.Throws<UsageException>(() => App.Parse(args, TextWriter.Null, out _, out _)).Message;

    [Theory]
    [InlineData("--root", "/tmp/a")]
    [InlineData("--root=/tmp/a")]
    [InlineData("-root", "/tmp/a")]
    [InlineData("-root=/tmp/a")]
    public void GlobalRootBeforeVerb(params string[] root)
    {
        var inv = Parse([.. root, "state", "x"]);
        Assert.Equal("/tmp/a", inv.Globals.Root);
        Assert.Equal("state", inv.Command.Name);
        Assert.Equal(["x"], inv.Args);
    }

    [Fact]
    public void AllGlobalFlagsBothForms()
    {
        var inv = Parse("--root", "/r", "--log", "/tmp/l.json", "--log-format", "json", "--debug", "--systemd-cgroup",
            "--rootless", "true", "--criu", "/bin/criu", "list");
        Assert.Equal("/r", inv.Globals.Root);
        Assert.Equal("/tmp/l.json", inv.Globals.LogPath);
        Assert.Equal("json", inv.Globals.LogFormat);
        Assert.True(inv.Globals.Debug);
        Assert.True(inv.Globals.SystemdCgroup);
        Assert.Equal("true", inv.Globals.Rootless);
        inv = Parse("--root=/r2", "--log=/tmp/l2", "--log-format=text", "--debug=false", "--systemd-cgroup=true", "--rootless=auto", "list");
        Assert.Equal("/r2", inv.Globals.Root);
        Assert.Equal("/tmp/l2", inv.Globals.LogPath);
        Assert.False(inv.Globals.Debug);
        Assert.True(inv.Globals.SystemdCgroup);
        var ctx = inv.Context;
        Assert.Equal("/r2", ctx.Root);
        Assert.True(ctx.SystemdCgroup);
    }

    [Fact]
    public void DefaultRootForRoot() => Assert.Equal("/run/nrunc", Parse("list").Globals.Root);

    [Fact]
    public void GlobalFlagAfterVerbIsAVerbFlag() => Assert.Equal("flag provided but not defined: -root", Fails("list", "--root", "/x"));

    [Fact]
    public void BadGlobalValues()
    {
        Assert.Equal("invalid log-format: xml", Fails("--log-format", "xml", "list"));
        Assert.Contains("--rootless", Fails("--rootless", "maybe", "list"));
        Assert.Equal("flag needs an argument: -root", Fails("--root"));
        Assert.Equal("invalid boolean value \"yes\" for -debug: parse error", Fails("--debug=yes", "list"));
    }

    [Fact]
    public void UnknownFlagAndVerb()
    {
        Assert.Equal("flag provided but not defined: -bogus", Fails("--bogus", "list"));
        Assert.Equal("flag provided but not defined: -bogus", Fails("state", "--bogus", "x"));
        Assert.Equal("unknown command \"bogus\" (see 'nrunc --help')", Fails("bogus"));
        Assert.Equal("bad flag syntax: ---x", Fails("---x", "list"));
    }

    [Fact]
    public void VerbFlagsAllForms()
    {
        Assert.Equal("json", Parse("list", "--format", "json").Flags.String("format"));
        Assert.Equal("json", Parse("list", "--format=json").Flags.String("format"));
        Assert.Equal("json", Parse("list", "-f", "json").Flags.String("format"));
        Assert.Equal("json", Parse("list", "-f=json").Flags.String("format"));
        Assert.True(Parse("list", "-q").Flags.Bool("quiet"));
        Assert.True(Parse("list", "--quiet=true").Flags.Bool("quiet"));
        Assert.False(Parse("list", "--quiet=false").Flags.Bool("quiet"));
        Assert.True(Parse("delete", "-force", "x").Flags.Bool("force"));
    }

    [Fact]
    public void FlagsMayFollowTheIdLikeUrfaveReordering()
    {
        var inv = Parse("delete", "x", "--force");
        Assert.True(inv.Flags.Bool("force"));
        Assert.Equal(["x"], inv.Args);
        inv = Parse("kill", "x", "KILL", "-a");
        Assert.True(inv.Flags.Bool("all"));
        Assert.Equal(["x", "KILL"], inv.Args);
        // A bool flag does not take the next argument as its value.
        inv = Parse("kill", "--all", "x", "9");
        Assert.Equal(["x", "9"], inv.Args);
    }

    [Fact]
    public void DoubleDashEndsFlags()
    {
        var inv = Parse("kill", "--", "x", "-9");
        Assert.Equal(["x", "-9"], inv.Args);
    }

    [Fact]
    public void ArgumentCounts()
    {
        Assert.Equal("nrunc: \"kill\" requires a minimum of 1 argument(s)", Fails("kill"));
        Assert.Equal("nrunc: \"kill\" requires a maximum of 2 argument(s)", Fails("kill", "a", "b", "c"));
        Assert.Equal("nrunc: \"state\" requires exactly 1 argument(s)", Fails("state"));
        Assert.Equal("nrunc: \"state\" requires exactly 1 argument(s)", Fails("state", "a", "b"));
        Assert.Equal("nrunc: \"list\" requires exactly 0 argument(s)", Fails("list", "a"));
        Assert.Equal("nrunc: \"exec\" requires a minimum of 1 argument(s)", Fails("exec"));
    }

    [Fact]
    public void CreateFlags()
    {
        var inv = Parse("--root", "/r", "create", "--bundle", "/b", "--pid-file=/p", "--console-socket", "/s", "--no-pivot",
            "--no-new-keyring", "--preserve-fds", "2", "c1");
        var f = inv.Flags;
        Assert.Equal("/b", f.String("bundle"));
        Assert.Equal("/p", f.String("pid-file"));
        Assert.Equal("/s", f.String("console-socket"));
        Assert.True(f.Bool("no-pivot"));
        Assert.True(f.Bool("no-new-keyring"));
        Assert.Equal(2, f.Int("preserve-fds", 0));
        Assert.Equal("c1", inv.Id);
        Assert.Equal("/b", Parse("create", "-b", "/b", "c1").Flags.String("bundle"));
        Assert.Equal("flag provided but not defined: -detach", Fails("create", "--detach", "c1"));
    }

    [Fact]
    public void RunFlags()
    {
        var f = Parse("run", "-d", "--keep", "--no-subreaper", "-b=/b", "c1").Flags;
        Assert.True(f.Bool("detach"));
        Assert.True(f.Bool("keep"));
        Assert.True(f.Bool("no-subreaper"));
        Assert.Equal("/b", f.String("bundle"));
    }

    [Fact]
    public void ExecStopsFlagsAtTheIdAndKeepsTheCommand()
    {
        var inv = Parse("exec", "-t", "--env", "A=1", "-e", "B=2", "--cap", "CAP_KILL", "-c", "CAP_CHOWN", "--additional-gids", "5",
            "-g", "6", "--user=1:2", "--cwd", "/tmp", "--detach", "--pid-file", "/p", "--no-new-privs", "--ignore-paused",
            "c1", "ls", "-l", "--all");
        var o = NRunc.Cli.Commands.ExecCommand.Options(inv);
        Assert.Equal("c1", o.Id);
        Assert.Equal(["ls", "-l", "--all"], o.Args);
        Assert.True(o.Tty);
        Assert.Equal(["A=1", "B=2"], o.Env);
        Assert.Equal(["CAP_KILL", "CAP_CHOWN"], o.Caps);
        Assert.Equal(["5", "6"], o.AdditionalGids);
        Assert.Equal("1:2", o.User);
        Assert.Equal("/tmp", o.Cwd);
        Assert.True(o.Detach);
        Assert.Equal("/p", o.PidFile);
        Assert.True(o.NoNewPrivs);
        Assert.True(o.IgnorePaused);
        Assert.Null(o.ProcessFile);
    }

    [Fact]
    public void ExecDoubleDashAndProcessFile()
    {
        var o = NRunc.Cli.Commands.ExecCommand.Options(Parse("exec", "c1", "--", "sh", "-c", "echo hi"));
        Assert.Equal(["sh", "-c", "echo hi"], o.Args);
        o = NRunc.Cli.Commands.ExecCommand.Options(Parse("exec", "--process", "/p.json", "--detach", "--pid-file", "/pid", "c1"));
        Assert.Equal("/p.json", o.ProcessFile);
        Assert.Empty(o.Args);
        Assert.Throws<UsageException>(() => NRunc.Cli.Commands.ExecCommand.Options(Parse("exec", "c1")));
        Assert.Throws<UsageException>(() => NRunc.Cli.Commands.ExecCommand.Options(Parse("exec", "-g", "x", "c1", "ls")));
    }

    [Fact]
    public void CheckpointAcceptsRuncFlagsIncludingSingleDash()
    {
        var inv = Parse("checkpoint", "-image-path", "/i", "-work-path=/w", "-leave-running", "--tcp-established",
            "-empty-ns", "network", "--manage-cgroups-mode", "soft", "c1");
        Assert.Equal("/i", inv.Flags.String("image-path"));
        Assert.Equal(["network"], inv.Flags.List("empty-ns"));
        inv = Parse("restore", "-no-subreaper", "-d", "-b", "/b", "--pid-file", "/p", "-lsm-profile", "x:y", "c1");
        Assert.True(inv.Flags.Bool("no-subreaper"));
    }

    [Fact]
    public void UpdateFlagsBuildResources()
    {
        var inv = Parse("update", "--memory", "64m", "--memory-swap=-1", "--cpu-shares", "512", "--cpu-quota", "50000",
            "--cpu-period", "100000", "--cpuset-cpus", "0-1", "--pids-limit", "100", "--blkio-weight", "300", "c1");
        var r = NRunc.Cli.Commands.UpdateCommand.Build(inv.Flags, () => Stream.Null);
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal(-1, r.Memory.Swap);
        Assert.Null(r.Memory.Reservation);
        Assert.Equal(512UL, r.Cpu!.Shares);
        Assert.Equal(50000, r.Cpu.Quota);
        Assert.Equal(100000UL, r.Cpu.Period);
        Assert.Equal("0-1", r.Cpu.Cpus);
        Assert.Equal(100, r.Pids!.Limit);
        Assert.Equal((ushort)300, r.BlockIO!.Weight);
    }

    [Fact]
    public void UpdateResourcesFromStdinIgnoresZeros()
    {
        var inv = Parse("update", "--resources", "-", "--memory", "1g", "c1");
        var json = """{"memory":{"limit":1048576,"swap":0},"cpu":{"shares":0,"quota":20000},"pids":{"limit":0}}"""u8.ToArray();
        var r = NRunc.Cli.Commands.UpdateCommand.Build(inv.Flags, () => new MemoryStream(json));
        Assert.Equal(1048576, r.Memory!.Limit);
        Assert.Null(r.Memory.Swap);
        Assert.Null(r.Cpu!.Shares);
        Assert.Equal(20000, r.Cpu.Quota);
        Assert.Null(r.Pids);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("TRUE", true)]
    [InlineData("0", false)]
    [InlineData("F", false)]
    [InlineData("False", false)]
    public void GoBools(string s, bool expected)
    {
        Assert.True(GoParse.TryBool(s, out var b));
        Assert.Equal(expected, b);
    }

    [Theory]
    [InlineData("10", 10)]
    [InlineData("-3", -3)]
    [InlineData("0x10", 16)]
    [InlineData("010", 8)]
    public void GoInts(string s, long expected)
    {
        Assert.True(GoParse.TryInt64(s, out var v));
        Assert.Equal(expected, v);
    }

    [Fact]
    public void GoIntRejectsGarbage() => Assert.False(GoParse.TryInt64("12a", out _));
}
