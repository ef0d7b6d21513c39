using NRunc.Container.Lifecycle;

namespace NRunc.Cli.Commands;

public static class ExecCommand
{
    public static Command Create() => new()
    {
        Name = "exec",
        Summary = "execute new process inside the container",
        ArgsUsage = "<container-id> <command> [command options]  || -p process.json <container-id>",
        Help = """
            Where "<container-id>" is the name for the instance of the container and
            "<command>" is the command to be executed in the container.
            "<command>" can't be empty unless a "-p" flag provided. Flags for nrunc come
            before "<container-id>"; everything after it belongs to the command ("--" may
            separate them).

            EXAMPLE:
            For example, if the container is configured to run the linux ps command the
            following will output a list of processes running in the container:

                   # nrunc exec <container-id> ps
            """,
        Flags =
        [
            new("console-socket", FlagKind.Value, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
            new("cwd", FlagKind.Value, "current working directory in the container"),
            new("env", FlagKind.List, "set environment variables", "e"),
            new("tty", FlagKind.Bool, "allocate a pseudo-TTY", "t"),
            new("user", FlagKind.Value, "UID (format: <uid>[:<gid>])", "u"),
            new("additional-gids", FlagKind.List, "additional gids", "g"),
            new("process", FlagKind.Value, "path to the process.json", "p"),
            new("detach", FlagKind.Bool, "detach from the container's process", "d"),
            new("pid-file", FlagKind.Value, "specify the file to write the process id to"),
            new("process-label", FlagKind.Value, "set the asm process label for the process commonly used with selinux"),
            new("apparmor", FlagKind.Value, "set the apparmor profile for the process"),
            new("no-new-privs", FlagKind.Bool, "set the no new privileges value for the process"),
            new("cap", FlagKind.List, "add a capability to the bounding set for the process", "c"),
            new("preserve-fds", FlagKind.Value, "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", defaultText: "0"),
            new("cgroup", FlagKind.List, "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."),
            new("ignore-paused", FlagKind.Bool, "allow exec in a paused container"),
        ],
        Rule = ArgRule.Min, MinArgs = 1,
        StopAtFirstArg = true,
        Action = inv => ContainerLifecycle.Exec(inv.Context, Options(inv)),
    };

    public static ExecOptions Options(Invocation inv)
    {
        var f = inv.Flags;
        NRunc.Container.State.StateStore.ValidateId(inv.Id);
        var args = inv.Args.GetRange(1, inv.Args.Count - 1);
        if (args.Count > 0 && args[0] == "--") args.RemoveAt(0);
        var processFile = f.String("process") is { Length: > 0 } p ? Path.GetFullPath(p) : null;
        if (processFile is null && args.Count == 0)
            throw new UsageException("exec: no command given: pass <command> [args...] after the container id, or --process");
        foreach (var g in f.List("additional-gids"))
        {
            if (!long.TryParse(g, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                throw new UsageException($"invalid value \"{g}\" for flag -additional-gids: parse error");
        }
        var cgroups = f.List("cgroup");
        return new ExecOptions
        {
            Id = inv.Id,
            ProcessFile = processFile,
            Args = args,
            Tty = f.Bool("tty"),
            ConsoleSocket = CreateCommand.Abs(f.String("console-socket")),
            Cwd = f.String("cwd"),
            Env = f.List("env"),
            User = f.String("user"),
            AdditionalGids = f.List("additional-gids"),
            Detach = f.Bool("detach"),
            PidFile = CreateCommand.Abs(f.String("pid-file")),
            ProcessLabel = f.String("process-label"),
            AppArmor = f.String("apparmor"),
            NoNewPrivs = f.Bool("no-new-privs"),
            Caps = f.List("cap"),
            PreserveFds = CreateCommand.NonNegative(f, "preserve-fds"),
            IgnorePaused = f.Bool("ignore-paused"),
            // ExecOptions takes one value; several --cgroup flags are joined with newlines for the lifecycle to split.
            Cgroup = cgroups.Count == 0 ? null : string.Join('\n', cgroups),
        };
    }
}
