using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

/// <summary>checkpoint and restore: every runc flag is accepted so callers get the real reason, not a usage error.</summary>
public static class CheckpointCommand
{
    const string NotSupported = "Not supported: criu does not work on this kernel; the command fails with a clear error.";

    public static Command Create() => new()
    {
        Name = "checkpoint",
        Summary = "checkpoint a running container (not supported: fails with an error)",
        ArgsUsage = "<container-id>",
        Help = NotSupported,
        Flags =
        [
            new("image-path", FlagKind.Value, "path for saving criu image files"),
            new("work-path", FlagKind.Value, "path for saving work files and logs"),
            new("parent-path", FlagKind.Value, "path for previous criu image files in pre-dump"),
            new("leave-running", FlagKind.Bool, "leave the process running after checkpointing"),
            new("tcp-established", FlagKind.Bool, "allow open tcp connections"),
            new("ext-unix-sk", FlagKind.Bool, "allow external unix sockets"),
            new("shell-job", FlagKind.Bool, "allow shell jobs"),
            new("lazy-pages", FlagKind.Bool, "use userfaultfd to lazily restore memory pages"),
            new("status-fd", FlagKind.Value, "criu writes \\0 to this FD once lazy-pages is ready", defaultText: "-1"),
            new("page-server", FlagKind.Value, "ADDRESS:PORT of the page server"),
            new("file-locks", FlagKind.Bool, "handle file locks, for safety"),
            new("pre-dump", FlagKind.Bool, "dump container's memory information only, leave the container running after this"),
            new("manage-cgroups-mode", FlagKind.Value, "cgroups mode: 'soft' (default), 'full' and 'strict'"),
            new("empty-ns", FlagKind.List, "create a namespace, but don't restore its properties"),
            new("auto-dedup", FlagKind.Bool, "enable auto deduplication of memory images"),
        ],
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv => { CheckpointOperation.Checkpoint(inv.Store(), inv.Id); return 0; },
    };

    public static Command CreateRestore() => new()
    {
        Name = "restore",
        Summary = "restore a container from a previous checkpoint (not supported: fails with an error)",
        ArgsUsage = "<container-id>",
        Help = NotSupported,
        Flags =
        [
            new("console-socket", FlagKind.Value, "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
            new("image-path", FlagKind.Value, "path to criu image files for restoring"),
            new("work-path", FlagKind.Value, "path for saving work files and logs"),
            new("tcp-established", FlagKind.Bool, "allow open tcp connections"),
            new("ext-unix-sk", FlagKind.Bool, "allow external unix sockets"),
            new("shell-job", FlagKind.Bool, "allow shell jobs"),
            new("file-locks", FlagKind.Bool, "handle file locks, for safety"),
            new("manage-cgroups-mode", FlagKind.Value, "cgroups mode: 'soft' (default), 'full' and 'strict'"),
            new("bundle", FlagKind.Value, "path to the root of the bundle directory", "b"),
            new("detach", FlagKind.Bool, "detach from the container's process", "d"),
            new("pid-file", FlagKind.Value, "specify the file to write the process id to"),
            new("no-subreaper", FlagKind.Bool, "disable the use of the subreaper used to reap reparented processes"),
            new("no-pivot", FlagKind.Bool, "do not use pivot root to jail process inside rootfs"),
            new("empty-ns", FlagKind.List, "create a namespace, but don't restore its properties"),
            new("auto-dedup", FlagKind.Bool, "enable auto deduplication of memory images"),
            new("lazy-pages", FlagKind.Bool, "use userfaultfd to lazily restore memory pages"),
            new("lsm-profile", FlagKind.Value, "Specify an LSM profile to be used during restore in the form of TYPE:NAME."),
            new("lsm-mount-context", FlagKind.Value, "Specify an LSM mount context to be used during restore."),
        ],
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv => { CheckpointOperation.Restore(inv.Store(), inv.Id); return 0; },
    };
}
