using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>The CRI service answers, the runtime is ready, the workload image is known.</summary>
public static class ServiceScenarios
{
    public static async Task Run(Suite s)
    {
        await s.Scenario("Version, Status and ImageStatus answer", async () =>
        {
            var v = await s.Cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, CriConnection.Within());
            Check.Equal("containerd", v.RuntimeName, "runtime name");
            Check.Equal("v1", v.RuntimeApiVersion, "runtime API version");
            var status = await s.Cri.Runtime.StatusAsync(new StatusRequest(), CriConnection.Within());
            var ready = status.Status.Conditions.FirstOrDefault(c => c.Type == "RuntimeReady");
            Check.True(ready is { Status: true }, $"RuntimeReady condition: {ready}");
            var image = await s.Cri.Images.ImageStatusAsync(
                new ImageStatusRequest { Image = new ImageSpec { Image = s.Options.Image } }, CriConnection.Within());
            Check.True(image.Image != null, $"image {s.Options.Image} not found by the CRI image service");
        });
    }
}
