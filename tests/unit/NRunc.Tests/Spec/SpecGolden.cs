using Xunit;

namespace NRunc.Tests.Spec;

/// <summary>
/// Repository paths for the spec tests and a small golden-file assertion: compares text with
/// golden/spec/NAME.txt in the source tree; UPDATE_GOLDEN=1 rewrites the file instead.
/// </summary>
internal static class SpecGolden
{
    private static string? s_root;

    public static string RepoRoot => s_root ??= FindRoot();

    public static string Fixtures => Path.Combine(RepoRoot, "spec-fixtures");

    public static string GoldenDir => Path.Combine(RepoRoot, "tests", "unit", "NRunc.Tests", "golden", "spec");

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("NRUNC_REPO_ROOT") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "spec-fixtures")) && File.Exists(Path.Combine(dir.FullName, "NRunc.sln")))
                return dir.FullName;
        throw new InvalidOperationException("repository root (with spec-fixtures/) not found above " + AppContext.BaseDirectory);
    }

    public static void AssertMatches(string name, string actual)
    {
        string path = Path.Combine(GoldenDir, name + ".txt");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(GoldenDir);
            File.WriteAllText(path, actual + "\n");
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; actual text:\n{actual}\n(run with UPDATE_GOLDEN=1 to create it)");
        string expected = File.ReadAllText(path);
        if (expected.EndsWith('\n')) expected = expected[..^1];
        Assert.Equal(expected, actual);
    }

    public static IEnumerable<object[]> FixtureNames(string folder)
        => Directory.GetFiles(Path.Combine(Fixtures, folder), "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => new object[] { n });
}
