using System.Diagnostics;
using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>
/// Pod start time per handler, interleaved in one run (the order rotates every round) so the
/// handlers see the same machine load: RunPodSandbox alone, and until one container runs.
/// </summary>
public static class PodStartBench
{
    public static async Task<int> Run(CriConnection cri, Options options)
    {
        var sandbox = options.Handlers.ToDictionary(h => h, _ => new List<long>());
        var withContainer = options.Handlers.ToDictionary(h => h, _ => new List<long>());
        var suite = new Suite(cri, options, new Tap(""));
        for (int round = 0; round < options.Rounds; round++)
        {
            for (int k = 0; k < options.Handlers.Length; k++)
            {
                var handler = options.Handlers[(round + k) % options.Handlers.Length];
                try
                {
                    var sw = Stopwatch.StartNew();
                    await using var pod = await Pod.Run(suite, "bench", handler: handler);
                    sandbox[handler].Add(sw.ElapsedMilliseconds);
                    await pod.Launch("c", Suite.Sleeper);
                    withContainer[handler].Add(sw.ElapsedMilliseconds);
                }
                catch (Exception e)
                {
                    Tap.Comment($"pod start, handler {handler}: failed: {e.Message.Split('\n')[0]}");
                }
            }
        }
        foreach (var h in options.Handlers.Where(h => withContainer[h].Count > 0))
            Tap.Comment($"pod start, handler {h,-12}: RunPodSandbox median {Median(sandbox[h])} ms, " +
                        $"+ one container running median {Median(withContainer[h])} ms ({options.Rounds} rounds)");
        return 0;
    }

    static long Median(List<long> xs) => xs.Order().ElementAt(xs.Count / 2);
}
