using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class PsCommand
{
    public static Command Create() => new()
    {
        Name = "ps",
        Summary = "ps displays the processes running inside a container",
        ArgsUsage = "<container-id> [ps options]",
        Help = """
            Where "[ps options]" are passed to ps(1) (default: -ef); only the lines of the
            container's processes are kept. With --format json, prints the host pids.
            """,
        Flags = [new("format", FlagKind.Value, "select one of: table or json", "f", "\"table\"")],
        Rule = ArgRule.Min, MinArgs = 1,
        StopAtFirstArg = true,
        Action = inv =>
        {
            var format = inv.Flags.String("format", "table");
            if (format is not ("table" or "json")) throw new UsageException("invalid format option");
            var pids = PsOperation.Pids(inv.Store(), inv.Id);
            if (format == "json") { inv.Out.Write(PsOperation.ToJson(pids)); return 0; }
            inv.Out.Write(PsOperation.Table(pids, inv.Args.GetRange(1, inv.Args.Count - 1)));
            return 0;
        },
    };
}
