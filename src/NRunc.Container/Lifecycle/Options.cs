namespace NRunc.Container.Lifecycle;

/// <summary>Global flags that every verb sees (runc's global options).</summary>
public sealed record RuntimeContext(string Root, bool SystemdCgroup = false, string? Rootless = null, bool Debug = false);

/// <summary>Flags of create and run.</summary>
public sealed class CreateOptions
{
    public required string Id { get; init; }
    public string Bundle { get; init; } = ".";
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>run only: return once the user process runs.</summary>
    public bool Detach { get; init; }
    /// <summary>run only: keep the state after the container exits.</summary>
    public bool Keep { get; init; }
}

/// <summary>Flags of exec. Either <see cref="ProcessFile"/> or <see cref="Args"/> with the per-field flags.</summary>
public sealed class ExecOptions
{
    public required string Id { get; init; }
    public string? ProcessFile { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public bool Tty { get; init; }
    public string? ConsoleSocket { get; init; }
    public string? Cwd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? User { get; init; }
    public IReadOnlyList<string> AdditionalGids { get; init; } = [];
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public string? ProcessLabel { get; init; }
    public string? AppArmor { get; init; }
    public bool NoNewPrivs { get; init; }
    public IReadOnlyList<string> Caps { get; init; } = [];
    public int PreserveFds { get; init; }
    public bool IgnorePaused { get; init; }
    public string? Cgroup { get; init; }
}
