using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class DeleteCommand
{
    public static Command Create() => new()
    {
        Name = "delete",
        Summary = "delete any resources held by the container often used with detached container",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is the name for the instance of the container.

            EXAMPLE:
            For example, if the container id is "ubuntu01" and nrunc list currently shows the
            status of "ubuntu01" as "stopped" the following will delete resources held for
            "ubuntu01" removing "ubuntu01" from the nrunc list of containers:

                   # nrunc delete ubuntu01
            """,
        Flags = [new("force", FlagKind.Bool, "Forcibly deletes the container if it is still running (uses SIGKILL)", "f")],
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv =>
        {
            DeleteOperation.Delete(inv.Store(), inv.Id, inv.Flags.Bool("force"));
            return 0;
        },
    };
}
