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
            foreach (var name in new[] { s.Options.Image, s.Options.SandboxImage })
                if (name != null) Check.True(await Known(s, name), $"image {name} not known to the CRI image service");
        });
    }

    /// <summary>The CRI plugin learns of images imported with ctr from containerd's events, asynchronously: wait.</summary>
    public static async Task WaitForImages(Suite s)
    {
        foreach (var name in new[] { s.Options.Image, s.Options.SandboxImage })
        {
            var until = DateTime.UtcNow.AddSeconds(20);
            while (name != null && !await Known(s, name) && DateTime.UtcNow < until)
                await Task.Delay(100);
        }
    }

    static async Task<bool> Known(Suite s, string name) =>
        (await s.Cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = name } }, CriConnection.Within())).Image != null;
}
