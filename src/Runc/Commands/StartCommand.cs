using NRunc.Container.Lifecycle;

namespace NRunc.Cli.Commands;

public static class StartCommand
{
    public static Command Create() => new()
    {
        Name = "start",
        Summary = "executes the user defined process in a created container",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is your name for the instance of the container that you
            are starting. The name you provide for the container instance must be unique on
            your host.

            DESCRIPTION:
               The start command executes the user defined process in a created container.
            """,
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv =>
        {
            NRunc.Container.State.StateStore.ValidateId(inv.Id);
            ContainerLifecycle.Start(inv.Context, inv.Id);
            return 0;
        },
    };
}
