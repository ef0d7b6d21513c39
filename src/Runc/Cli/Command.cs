using NRunc.Container.Lifecycle;

namespace NRunc.Cli;

/// <summary>How many positional arguments a verb takes (runc's checkArgs).</summary>
public enum ArgRule { Any, Exact, Min, MinMax }

/// <summary>One verb: its flags, help text and action. Built on demand; only the invoked verb is constructed.</summary>
public sealed class Command
{
    public required string Name { get; init; }
    /// <summary>One line, shown in the command list and in NAME.</summary>
    public required string Summary { get; init; }
    /// <summary>Text after <c>nrunc NAME [command options]</c> in USAGE.</summary>
    public string ArgsUsage { get; init; } = "";
    /// <summary>Paragraph(s) shown between USAGE and OPTIONS.</summary>
    public string? Help { get; init; }
    public Flag[] Flags { get; init; } = [];
    public ArgRule Rule { get; init; } = ArgRule.Any;
    public int MinArgs { get; init; }
    public int MaxArgs { get; init; }
    /// <summary>Flags only before the first positional argument (exec, ps: the rest belongs to the process).</summary>
    public bool StopAtFirstArg { get; init; }
    public bool Hidden { get; init; }
    public required Func<Invocation, int> Action { get; init; }

    public Flag? FindFlag(ReadOnlySpan<char> name)
    {
        foreach (var f in Flags) if (f.Matches(name)) return f;
        if (name.SequenceEqual("help") || name.SequenceEqual("h")) return HelpFlag;
        return null;
    }

    internal static readonly Flag HelpFlag = new("help", FlagKind.Bool, "show help", "h");

    public void CheckArgs(int n)
    {
        string? err = Rule switch
        {
            ArgRule.Exact when n != MinArgs => $"nrunc: \"{Name}\" requires exactly {MinArgs} argument(s)",
            ArgRule.Min when n < MinArgs => $"nrunc: \"{Name}\" requires a minimum of {MinArgs} argument(s)",
            ArgRule.MinMax when n < MinArgs => $"nrunc: \"{Name}\" requires a minimum of {MinArgs} argument(s)",
            ArgRule.MinMax when n > MaxArgs => $"nrunc: \"{Name}\" requires a maximum of {MaxArgs} argument(s)",
            _ => null,
        };
        if (err is not null) throw new UsageException(err);
    }
}

/// <summary>The global options given before the verb.</summary>
public sealed class GlobalOptions
{
    public string Root { get; set; } = DefaultRoot();
    public string? LogPath { get; set; }
    public string LogFormat { get; set; } = "text";
    public bool Debug { get; set; }
    public bool SystemdCgroup { get; set; }
    public string Rootless { get; set; } = "auto";
    public string Criu { get; set; } = "criu";

    public RuntimeContext Context() => new(Root, SystemdCgroup, Rootless, Debug);

    /// <summary>
    /// /run/nrunc; $XDG_RUNTIME_DIR/nrunc when XDG_RUNTIME_DIR is set and the caller is not root, or is root of a
    /// user namespace and $USER is not root (runc's rule: rootless podman runs the runtime that way).
    /// </summary>
    static string DefaultRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(xdg) && (NRunc.Native.Libc.StateGeteuid() != 0 ||
            (Environment.GetEnvironmentVariable("USER") != "root" && NRunc.Container.Rootless.RootlessMode.InUserNamespace())))
            return Path.Combine(xdg, "nrunc");
        return "/run/nrunc";
    }
}

/// <summary>A parsed call of one verb.</summary>
public sealed class Invocation(GlobalOptions globals, Command command, FlagValues flags, List<string> args, TextWriter output)
{
    public TextWriter Out { get; } = output;
    public NRunc.Container.State.StateStore Store() => new(Globals.Root);
    public void WriteUtf8(byte[] bytes) => Out.Write(System.Text.Encoding.UTF8.GetString(bytes));
    public GlobalOptions Globals { get; } = globals;
    public Command Command { get; } = command;
    public FlagValues Flags { get; } = flags;
    public List<string> Args { get; } = args;
    public RuntimeContext Context => Globals.Context();
    public string Id => Args[0];
}
