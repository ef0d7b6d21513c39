using System.Text.Json;
using NRunc.Cli;
using Xunit;

namespace NRunc.Tests.Cli;

[Collection("cli")]
public class CliOutputTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "nrunc-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    [Fact]
    public void VersionIsThreeLines()
    {
        foreach (var flag in new[] { "--version", "-v", "-version" })
        {
            var r = CliResult.Run(flag);
            Assert.Equal(0, r.Exit);
            var lines = r.Out.TrimEnd('\n').Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.Equal("nrunc version 0.1.0", lines[0]);
            Assert.StartsWith("commit: ", lines[1]);
            Assert.True(lines[1].Length > "commit: ".Length);
            Assert.Equal("spec: 1.3.0", lines[2]);
        }
    }

    [Fact]
    public void AppHelpGolden()
    {
        var r = CliResult.Run("--help");
        Assert.Equal(0, r.Exit);
        var stable = r.Out.Replace("commit: " + CommitLine(), "commit: COMMIT");
        CliGolden.Check("help", stable);
        Assert.Equal(r.Out, CliResult.Run("-h").Out);
        Assert.Equal(r.Out, CliResult.Run("help").Out);
        Assert.Equal(r.Out, CliResult.Run().Out);
        Assert.DoesNotContain("\n   init ", r.Out); // hidden
    }

    static string CommitLine() => CliResult.Run("--version").Out.Split('\n')[1]["commit: ".Length..];

    [Theory]
    [InlineData("checkpoint")]
    [InlineData("create")]
    [InlineData("delete")]
    [InlineData("events")]
    [InlineData("exec")]
    [InlineData("kill")]
    [InlineData("list")]
    [InlineData("pause")]
    [InlineData("ps")]
    [InlineData("restore")]
    [InlineData("resume")]
    [InlineData("run")]
    [InlineData("spec")]
    [InlineData("start")]
    [InlineData("state")]
    [InlineData("update")]
    [InlineData("features")]
    public void CommandHelpGolden(string verb)
    {
        var r = CliResult.Run(verb, "--help");
        Assert.Equal(0, r.Exit);
        Assert.Equal("", r.Err);
        CliGolden.Check("help-" + verb, r.Out);
        Assert.Equal(r.Out, CliResult.Run(verb, "-h").Out);
        Assert.Equal(r.Out, CliResult.Run("help", verb).Out);
    }

    [Fact]
    public void StateOfUnknownIdGolden()
    {
        var r = CliResult.Run("--root", _root, "state", "nope");
        Assert.Equal(1, r.Exit);
        Assert.Equal("", r.Out);
        CliGolden.Check("error-state-nope", r.ErrStable);
    }

    [Fact]
    public void ErrorsGolden()
    {
        var cases = new (string Name, string[] Args)[]
        {
            ("error-unknown-flag", ["--bogus", "list"]),
            ("error-unknown-verb", ["bogus"]),
            ("error-kill-no-args", ["kill"]),
            ("error-invalid-id", ["--root", _root, "state", "a/b"]),
            ("error-unknown-signal", ["--root", _root, "kill", "nope", "SIGFOO"]),
            ("error-checkpoint", ["--root", _root, "restore", "c1"]),
        };
        foreach (var (name, args) in cases)
        {
            var r = CliResult.Run(args);
            Assert.Equal(1, r.Exit);
            CliGolden.Check(name, r.ErrStable);
        }
    }

    [Fact]
    public void ErrorWithJsonLogFileGoesToFileAndBareToStderr()
    {
        Directory.CreateDirectory(_root);
        var log = Path.Combine(_root, "log.json");
        var r = CliResult.Run("--root", _root, "--log", log, "--log-format", "json", "state", "nope");
        Assert.Equal(1, r.Exit);
        Assert.Equal("container \"nope\" does not exist\n", r.Err);
        var lines = File.ReadAllLines(log);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal("error", doc.RootElement.GetProperty("level").GetString());
        Assert.Equal("container \"nope\" does not exist", doc.RootElement.GetProperty("msg").GetString());
        Assert.EndsWith("Z", doc.RootElement.GetProperty("time").GetString());
        // Key order is logrus': level, msg, time.
        Assert.StartsWith("{\"level\":\"error\",\"msg\":", lines[0]);
    }

    [Fact]
    public void ErrorWithJsonFormatAndNoLogFileGoesToStderrAsJson()
    {
        var r = CliResult.Run("--root", _root, "--log-format", "json", "state", "nope");
        Assert.Equal(1, r.Exit);
        using var doc = JsonDocument.Parse(r.Err);
        Assert.Equal("error", doc.RootElement.GetProperty("level").GetString());
    }

    [Fact]
    public void ParseErrorsHonourTheLogFile()
    {
        Directory.CreateDirectory(_root);
        var log = Path.Combine(_root, "log.txt");
        var r = CliResult.Run("--log", log, "state", "--nope", "x");
        Assert.Equal(1, r.Exit);
        Assert.Equal("flag provided but not defined: -nope\n", r.Err);
        Assert.Matches("^time=\"[^\"]+\" level=error msg=\"flag provided but not defined: -nope\"\n$", File.ReadAllText(log));
    }

    [Fact]
    public void ListOnEmptyAndMissingRoot()
    {
        var r = CliResult.Run("--root", _root, "list", "--format", "json");
        Assert.Equal(0, r.Exit);
        Assert.Equal("[]\n", r.Out);
        Assert.Equal("", r.Err);
        r = CliResult.Run("--root", _root, "list");
        Assert.Equal("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n", r.Out);
        r = CliResult.Run("--root", _root, "list", "-q");
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void DeleteUnknownFailsButForceSucceeds()
    {
        var r = CliResult.Run("--root", _root, "delete", "nope");
        Assert.Equal(1, r.Exit);
        Assert.Contains("container \\\"nope\\\" does not exist", r.Err);
        r = CliResult.Run("--root", _root, "delete", "--force", "nope");
        Assert.Equal(0, r.Exit);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void SpecWritesOnceThenRefuses()
    {
        Directory.CreateDirectory(_root);
        var r = CliResult.Run("spec", "--bundle", _root);
        Assert.Equal(0, r.Exit);
        var spec = NRunc.Spec.ConfigLoader.Load(Path.Combine(_root, "config.json"));
        Assert.Equal(["sh"], spec.Process!.Args);
        r = CliResult.Run("spec", "-b", _root, "--rootless");
        Assert.Equal(1, r.Exit);
        Assert.Contains("File config.json exists. Remove it first", r.Err);
    }

    [Fact]
    public void FeaturesIsJsonWithVersions()
    {
        var r = CliResult.Run("features");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("1.0.0", doc.RootElement.GetProperty("ociVersionMin").GetString());
        Assert.Equal("1.3.0", doc.RootElement.GetProperty("ociVersionMax").GetString());
        Assert.True(doc.RootElement.GetProperty("linux").TryGetProperty("capabilities", out _));
        Assert.StartsWith("{\n    \"ociVersionMin\"", r.Out);
    }
}
