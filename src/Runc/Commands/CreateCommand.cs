using NRunc.Container.Lifecycle;

namespace NRunc.Cli.Commands;

/// <summary>create and run: the same bundle flags into <see cref="CreateOptions"/>.</summary>
public static class CreateCommand
{
    static Flag[] BundleFlags(bool run)
    {
        var flags = new List<Flag>
        {
            new("bundle", FlagKind.Value, "path to the root of the bundle directory, defaults to the current directory", "b"),
            new("console-socket", FlagKind.Value, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
        };
        if (run)
        {
            flags.Add(new("detach", FlagKind.Bool, "detach from the container's process", "d"));
            flags.Add(new("keep", FlagKind.Bool, "do not delete the container after it exits"));
        }
        flags.Add(new("pid-file", FlagKind.Value, "specify the file to write the process id to"));
        if (run) flags.Add(new("no-subreaper", FlagKind.Bool, "accepted for runc compatibility; nrunc does not become a subreaper"));
        flags.Add(new("no-pivot", FlagKind.Bool, "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk"));
        flags.Add(new("no-new-keyring", FlagKind.Bool, "do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key"));
        flags.Add(new("preserve-fds", FlagKind.Value, "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", defaultText: "0"));
        return [.. flags];
    }

    public static Command Create() => new()
    {
        Name = "create",
        Summary = "create a container",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is your name for the instance of the container that you
            are starting. The name you provide for the container instance must be unique on
            your host.

            DESCRIPTION:
               The create command creates an instance of a container for a bundle. The bundle
            is a directory with a specification file named "config.json" and a root
            filesystem. It returns once the container's init waits before the user process;
            "nrunc start" runs the process given by the args parameter of the spec.
            """,
        Flags = BundleFlags(run: false),
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv =>
        {
            ContainerLifecycle.Create(inv.Context, Options(inv, run: false));
            return 0;
        },
    };

    public static Command CreateRun() => new()
    {
        Name = "run",
        Summary = "create and run a container",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is your name for the instance of the container that you
            are starting. The name you provide for the container instance must be unique on
            your host.

            DESCRIPTION:
               The run command creates an instance of a container for a bundle and starts
            it. Without --detach it waits for the container's process, exits with its
            status and deletes the container (unless --keep).
            """,
        Flags = BundleFlags(run: true),
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv => ContainerLifecycle.Run(inv.Context, Options(inv, run: true)),
    };

    static CreateOptions Options(Invocation inv, bool run)
    {
        var f = inv.Flags;
        NRunc.Container.State.StateStore.ValidateId(inv.Id);
        return new CreateOptions
        {
            Id = inv.Id,
            Bundle = Path.GetFullPath(f.String("bundle") is { Length: > 0 } b ? b : "."),
            PidFile = Abs(f.String("pid-file")),
            ConsoleSocket = Abs(f.String("console-socket")),
            NoPivot = f.Bool("no-pivot"),
            NoNewKeyring = f.Bool("no-new-keyring"),
            PreserveFds = NonNegative(f, "preserve-fds"),
            Detach = run && f.Bool("detach"),
            Keep = run && f.Bool("keep"),
        };
    }

    internal static string? Abs(string? path) => string.IsNullOrEmpty(path) ? null : Path.GetFullPath(path);

    internal static int NonNegative(FlagValues f, string name)
    {
        var n = f.Int(name, 0);
        if (n < 0) throw new UsageException($"invalid value \"{n}\" for flag -{name}: must not be negative");
        return n;
    }
}
