using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>Stops and removes every pod the scenarios labelled, whatever state a failed run left.</summary>
public static class Cleanup
{
    public static async Task<int> Run(CriConnection cri)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector["nrunc-cri"] = "1";
        var pods = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, CriConnection.Within());
        int failed = 0;
        foreach (var p in pods.Items)
        {
            try
            {
                await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = p.Id }, CriConnection.Within(120));
                await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = p.Id }, CriConnection.Within(120));
                Console.WriteLine($"removed left-over pod {p.Metadata.Name} ({Pod.Short(p.Id)})");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"could not remove pod {p.Metadata.Name} ({Pod.Short(p.Id)}): {e.Message.Split('\n')[0]}");
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
