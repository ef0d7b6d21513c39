using NRunc.Container;
using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class KillCommand
{
    public static Command Create() => new()
    {
        Name = "kill",
        Summary = "kill sends the specified signal (default: SIGTERM) to the container's init process",
        ArgsUsage = "<container-id> [signal]",
        Help = """
            Where "<container-id>" is the name for the instance of the container and
            "[signal]" is the signal to be sent to the init process: a number (9) or a
            name with or without the SIG prefix (KILL, SIGKILL).

            EXAMPLE:
            For example, if the container id is "ubuntu01" the following will send a "KILL"
            signal to the init process of the "ubuntu01" container:

                   # nrunc kill ubuntu01 KILL
            """,
        Flags = [new("all", FlagKind.Bool, "send the specified signal to all processes inside the container", "a")],
        Rule = ArgRule.MinMax, MinArgs = 1, MaxArgs = 2,
        Action = inv =>
        {
            int signal = KillOperation.SIGTERM;
            if (inv.Args.Count > 1)
            {
                try { signal = NRunc.Spec.Signals.Parse(inv.Args[1]); }
                catch (FormatException e) { throw new ContainerException(e.Message); }
            }
            KillOperation.Kill(inv.Store(), inv.Id, signal, inv.Flags.Bool("all"));
            return 0;
        },
    };
}
