using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class StateCommand
{
    public static Command Create() => new()
    {
        Name = "state",
        Summary = "output the state of a container",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is your name for the instance of the container.

            DESCRIPTION:
               The state command outputs current state information for the
            instance of a container.
            """,
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv =>
        {
            inv.WriteUtf8(StateOperation.ToJson(StateOperation.Get(inv.Store(), inv.Id)));
            return 0;
        },
    };
}
