using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class SpecCommand
{
    public static Command Create() => new()
    {
        Name = "spec",
        Summary = "create a new specification file",
        Help = """
            DESCRIPTION:
               The spec command creates the new specification file named "config.json" for
            the bundle. It refuses to overwrite an existing one.

            The spec generated is just a starter file: its process runs "sh" with a
            terminal. For example, with a busybox root filesystem in ./rootfs:

                nrunc spec
                sed -i 's;"sh";"/bin/echo", "hello";' config.json
                sed -i 's;"terminal": true;"terminal": false;' config.json
                nrunc run container1
            """,
        Flags =
        [
            new("bundle", FlagKind.Value, "path to the root of the bundle directory", "b"),
            new("rootless", FlagKind.Bool, "generate a configuration for a rootless container"),
        ],
        Rule = ArgRule.Exact, MinArgs = 0,
        Action = inv =>
        {
            SpecOperation.Write(inv.Flags.String("bundle"), inv.Flags.Bool("rootless"));
            return 0;
        },
    };
}
