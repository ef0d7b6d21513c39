using NRunc.Container.Lifecycle;

namespace NRunc.Cli;

public static class Program
{
    // `nrunc init` skips the CLI: App.Run reads Console.Out, which dups fd 1, and with a terminal that copy kept the
    // caller's stdout pipe open while init waits for start (containerd's shim waits for EOF on create's output).
    public static int Main(string[] args) => args is ["init"] ? ContainerLifecycle.Init() : App.Run(args);
}
