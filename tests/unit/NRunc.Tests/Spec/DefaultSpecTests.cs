using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Spec;

/// <summary>DefaultSpec against the verbatim output of `runc spec` (runc 1.1.5), byte for byte except ociVersion.</summary>
public class DefaultSpecTests
{
    private static string RuncOutput(string name)
        => File.ReadAllText(Path.Combine(SpecGolden.Fixtures, "runc", name))
            .Replace("\"ociVersion\": \"1.0.2-dev\"", $"\"ociVersion\": \"{NRunc.Spec.Spec.CurrentVersion}\"");

    [Fact]
    public void MatchesRuncSpec() => Assert.Equal(RuncOutput("spec.json"), SpecWriter.ToJson(DefaultSpec.Create()));

    [Fact]
    public void MatchesRuncSpecRootless() => Assert.Equal(RuncOutput("spec-rootless.json"), SpecWriter.ToJson(DefaultSpec.Create(rootless: true)));

    [Fact]
    public void RootlessMapsCallerIds()
    {
        var spec = DefaultSpec.Create(rootless: true, hostUid: 1000, hostGid: 1001);
        Assert.Equal(1000u, spec.Linux!.UidMappings![0].HostId);
        Assert.Equal(1001u, spec.Linux.GidMappings![0].HostId);
    }

    [Fact]
    public void DefaultSpecsAreValid()
    {
        SpecValidator.Validate(DefaultSpec.Create());
        SpecValidator.Validate(DefaultSpec.Create(rootless: true));
    }

    [Fact]
    public void WriteToStreamEqualsToJson()
    {
        using var ms = new MemoryStream();
        SpecWriter.Write(DefaultSpec.Create(), ms);
        Assert.Equal(SpecWriter.ToJson(DefaultSpec.Create()), System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
