using Xunit;

namespace NRunc.Tests.Cli;

/// <summary>Compares text with golden/cli/NAME.txt in the source tree; UPDATE_GOLDEN=1 rewrites the file instead.</summary>
public static class CliGolden
{
    static string Dir()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NRunc.sln"))) d = d.Parent;
        Assert.NotNull(d);
        return Path.Combine(d!.FullName, "tests", "unit", "NRunc.Tests", "golden", "cli");
    }

    public static void Check(string name, string actual)
    {
        var path = Path.Combine(Dir(), name + ".txt");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; actual text:\n{actual}\n(run with UPDATE_GOLDEN=1 to create it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}

/// <summary>Runs the nrunc CLI in-process and captures what it prints.</summary>
public sealed record CliResult(int Exit, string Out, string Err)
{
    public static CliResult Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var rc = NRunc.Cli.App.Run(args, o, e);
        return new CliResult(rc, o.ToString(), e.ToString());
    }

    /// <summary>stderr with the logrus time field replaced, for golden comparison.</summary>
    public string ErrStable => System.Text.RegularExpressions.Regex.Replace(Err, "time=\"[^\"]+\"", "time=\"T\"");
}

/// <summary>The CLI keeps process-wide state (logger, stderr sink): its tests run one at a time.</summary>
[CollectionDefinition("cli", DisableParallelization = true)]
public sealed class CliCollection;
