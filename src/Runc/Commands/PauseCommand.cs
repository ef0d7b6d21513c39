using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class PauseCommand
{
    public static Command Create() => new()
    {
        Name = "pause",
        Summary = "pause suspends all processes inside the container",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is the name for the instance of the container to be
            paused.

            DESCRIPTION:
               The pause command suspends all processes in the instance of the container
            (cgroup freezer).

            Use nrunc list to identify instances of containers and their current status.
            """,
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv => { PauseOperation.Pause(inv.Store(), inv.Id); return 0; },
    };

    public static Command CreateResume() => new()
    {
        Name = "resume",
        Summary = "resumes all processes that have been previously paused",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is the name for the instance of the container to be
            resumed.

            DESCRIPTION:
               The resume command resumes all processes in the instance of the container.

            Use nrunc list to identify instances of containers and their current status.
            """,
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv => { PauseOperation.Resume(inv.Store(), inv.Id); return 0; },
    };
}
