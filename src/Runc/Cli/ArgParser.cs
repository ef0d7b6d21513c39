namespace NRunc.Cli;

/// <summary>
/// Go flag-package syntax as urfave/cli v1 (runc 1.1) accepts it: <c>-f</c>, <c>--f</c>, <c>-f value</c>,
/// <c>-f=value</c>, <c>--f=value</c>; bool flags take a value only after '='; <c>--</c> ends the flags.
/// </summary>
public static class ArgParser
{
    /// <summary>
    /// Parses <paramref name="args"/> from <paramref name="start"/>. Flags are looked up with <paramref name="find"/>,
    /// values go to <paramref name="values"/>, other arguments to <paramref name="positional"/>. With
    /// <paramref name="stopAtFirstArg"/> the first positional argument ends the flags (global flags before the verb;
    /// exec and ps), otherwise flags may follow positional arguments (urfave/cli's argument reordering).
    /// </summary>
    public static void Parse(IReadOnlyList<string> args, int start, Func<string, Flag?> find, bool stopAtFirstArg,
        FlagValues values, List<string> positional)
    {
        for (int i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                for (int j = i + 1; j < args.Count; j++) positional.Add(args[j]);
                return;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                if (stopAtFirstArg)
                {
                    for (int j = i; j < args.Count; j++) positional.Add(args[j]);
                    return;
                }
                positional.Add(arg);
                continue;
            }
            i = ParseOne(args, i, find, values);
        }
    }

    /// <summary>Parses the flag at args[i] (and its value); returns the index of the last argument consumed.</summary>
    public static int ParseOne(IReadOnlyList<string> args, int i, Func<string, Flag?> find, FlagValues values)
    {
        var arg = args[i];
        var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
        if (body.Length == 0 || body[0] == '-' || body[0] == '=') throw new UsageException($"bad flag syntax: {arg}");
        string name = body;
        string? value = null;
        var eq = body.IndexOf('=');
        if (eq > 0) { name = body[..eq]; value = body[(eq + 1)..]; }
        var flag = find(name) ?? throw new UsageException($"flag provided but not defined: -{name}");
        if (flag.Kind == FlagKind.Bool)
        {
            bool b = true;
            if (value is not null && !GoParse.TryBool(value, out b))
                throw new UsageException($"invalid boolean value \"{value}\" for -{name}: parse error");
            values.Add(flag.Name, b ? "true" : "false");
            return i;
        }
        if (value is null)
        {
            if (i + 1 >= args.Count) throw new UsageException($"flag needs an argument: -{name}");
            value = args[++i];
        }
        values.Add(flag.Name, value);
        return i;
    }
}
