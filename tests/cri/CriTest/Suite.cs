namespace NRunc.Tests.Cri;

/// <summary>What every scenario gets: the CRI connection, the options, and pod start times seen so far.</summary>
public sealed class Suite(CriConnection cri, Options options, Tap tap)
{
    public CriConnection Cri { get; } = cri;
    public Options Options { get; } = options;
    public Tap Tap { get; } = tap;
    public List<long> PodStartMs { get; } = [];

    public async Task<Pod> RunPod(string name, Action<Runtime.V1.PodSandboxConfig>? customize = null)
    {
        var pod = await Pod.Run(this, name, customize);
        PodStartMs.Add(pod.StartMs);
        return pod;
    }

    /// <summary>Runs one scenario unless --only filters it out.</summary>
    public Task Scenario(string name, Func<Task> body) =>
        Options.Only != null && !name.Contains(Options.Only, StringComparison.OrdinalIgnoreCase)
            ? Task.CompletedTask
            : Tap.Run(name, body);

    /// <summary>Busybox commands used as container workloads.</summary>
    public static string[] Sleeper => ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"];
}
