using NRunc.Tests.Cri;

Options options;
try
{
    options = Options.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"critest: {e.Message}\n{Options.Usage}");
    return 1;
}

using var cri = new CriConnection(options.Socket);
if (options.Mode == "bench")
    return await PodStartBench.Run(cri, options);
if (options.Mode == "cleanup")
    return await Cleanup.Run(cri);

var tap = new Tap(options.Handler == "" ? "" : $"[{options.Handler}] ");
var suite = new Suite(cri, options, tap);
await ServiceScenarios.WaitForImages(suite);
await ServiceScenarios.Run(suite);
await PodScenarios.Run(suite);
await ExecScenarios.Run(suite);
await ResourceScenarios.Run(suite);
await ContainerLifecycleScenarios.Run(suite);
await SecurityScenarios.Run(suite);
await WorkloadScenarios.Run(suite);
tap.Plan();
if (suite.PodStartMs.Count > 0)
{
    var sorted = suite.PodStartMs.Order().ToList();
    Tap.Comment($"RunPodSandbox with handler '{options.Handler}': median {sorted[sorted.Count / 2]} ms over {sorted.Count} pods (min {sorted[0]}, max {sorted[^1]})");
}
return tap.Failed == 0 ? 0 : 1;
