using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class ListCommand
{
    public static Command Create() => new()
    {
        Name = "list",
        Summary = "lists containers started by nrunc with the given root",
        Help = """
            Where the given root is specified via the global option "--root"
            (default: "/run/nrunc").

            EXAMPLE 1:
            To list containers created via the default "--root":
                   # nrunc list

            EXAMPLE 2:
            To list containers created using a non-default value for "--root":
                   # nrunc --root value list
            """,
        Flags =
        [
            new("format", FlagKind.Value, "select one of: table or json", "f", "\"table\""),
            new("quiet", FlagKind.Bool, "display only container IDs", "q"),
        ],
        Rule = ArgRule.Exact, MinArgs = 0,
        Action = inv =>
        {
            var format = inv.Flags.String("format", "table");
            if (format is not ("table" or "json")) throw new UsageException("invalid format option");
            var states = ListOperation.List(inv.Store());
            if (inv.Flags.Bool("quiet")) inv.Out.Write(ListOperation.ToQuiet(states));
            else if (format == "json") inv.WriteUtf8(ListOperation.ToJson(states));
            else inv.Out.Write(ListOperation.ToTable(states));
            return 0;
        },
    };
}
