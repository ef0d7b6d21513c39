using NRunc.Cli.Commands;

namespace NRunc.Cli;

/// <summary>Verb name → command. Only the one invoked is built (help builds them all to list them).</summary>
public static class Verbs
{
    /// <summary>The verbs in help order (runc's), without the hidden init.</summary>
    public static readonly string[] Names =
        ["checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps", "restore", "resume", "run",
         "spec", "start", "state", "update", "features"];

    public static Command? Find(string name) => name switch
    {
        "checkpoint" => CheckpointCommand.Create(),
        "restore" => CheckpointCommand.CreateRestore(),
        "create" => CreateCommand.Create(),
        "run" => CreateCommand.CreateRun(),
        "start" => StartCommand.Create(),
        "exec" => ExecCommand.Create(),
        "init" => InitCommand.Create(),
        "delete" => DeleteCommand.Create(),
        "events" => EventsCommand.Create(),
        "kill" => KillCommand.Create(),
        "list" => ListCommand.Create(),
        "pause" => PauseCommand.Create(),
        "resume" => PauseCommand.CreateResume(),
        "ps" => PsCommand.Create(),
        "spec" => SpecCommand.Create(),
        "state" => StateCommand.Create(),
        "update" => UpdateCommand.Create(),
        "features" => FeaturesCommand.Create(),
        _ => null,
    };
}
