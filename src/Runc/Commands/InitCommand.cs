using NRunc.Container.Lifecycle;

namespace NRunc.Cli.Commands;

/// <summary>The hidden `nrunc init`: the container's init, started by create inside the new namespaces.</summary>
public static class InitCommand
{
    public static Command Create() => new()
    {
        Name = "init",
        Summary = "initialize the namespaces and launch the process (do not call it outside of nrunc)",
        Hidden = true,
        Action = _ => ContainerLifecycle.Init(),
    };
}
