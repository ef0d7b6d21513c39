namespace NRunc.Cli;

public enum FlagKind
{
    /// <summary>Presence means true; a value only as <c>--flag=true|false</c> (Go's flag package).</summary>
    Bool,
    /// <summary>Takes one value: <c>--flag value</c> or <c>--flag=value</c>; the last one given wins.</summary>
    Value,
    /// <summary>A value that may be repeated; every occurrence is kept, in order.</summary>
    List,
}

/// <summary>One command-line flag as urfave/cli declares it: a long name, an optional one-letter alias, help text.</summary>
public sealed class Flag(string name, FlagKind kind, string usage, string? alias = null, string? defaultText = null)
{
    public string Name { get; } = name;
    public FlagKind Kind { get; } = kind;
    public string Usage { get; } = usage;
    public string? Alias { get; } = alias;
    /// <summary>Shown as <c>(default: X)</c> in help.</summary>
    public string? DefaultText { get; } = defaultText;

    public bool Matches(ReadOnlySpan<char> name) => name.SequenceEqual(Name) || (Alias is not null && name.SequenceEqual(Alias));

    /// <summary>The left column of the help's OPTIONS list: <c>--bundle value, -b value</c>.</summary>
    public string HelpName()
    {
        var v = Kind == FlagKind.Bool ? "" : " value";
        var s = "--" + Name + v;
        if (Alias is not null) s += ", " + (Alias.Length == 1 ? "-" : "--") + Alias + v;
        return s;
    }
}

/// <summary>The values parsed for one command's (or the global) flags.</summary>
public sealed class FlagValues
{
    readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<string>(1);
        list.Add(value);
    }

    public bool IsSet(string name) => _values.ContainsKey(name);

    /// <summary>Last value given, or null.</summary>
    public string? String(string name) => _values.TryGetValue(name, out var l) ? l[^1] : null;

    public string String(string name, string fallback) => String(name) ?? fallback;

    public IReadOnlyList<string> List(string name) => _values.TryGetValue(name, out var l) ? l : [];

    public bool Bool(string name) => _values.TryGetValue(name, out var l) && l[^1] == "true";

    public int Int(string name, int fallback)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!GoParse.TryInt64(s, out var v) || v < int.MinValue || v > int.MaxValue)
            throw new UsageException($"invalid value \"{s}\" for flag -{name}: parse error");
        return (int)v;
    }
}

/// <summary>A command-line mistake: printed as the error, exit status 1.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Go's strconv parsing rules for flag values (ParseBool, ParseInt with base 0).</summary>
public static class GoParse
{
    public static bool TryBool(string s, out bool value)
    {
        switch (s)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True": value = true; return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False": value = false; return true;
            default: value = false; return false;
        }
    }

    /// <summary>Decimal, or 0x/0o/0b/0 prefixed like Go's base-0 ParseInt; optional sign; '_' not accepted.</summary>
    public static bool TryInt64(string s, out long value)
    {
        value = 0;
        var span = s.AsSpan();
        bool neg = false;
        if (span.Length > 0 && (span[0] == '-' || span[0] == '+')) { neg = span[0] == '-'; span = span[1..]; }
        if (span.Length == 0) return false;
        int radix = 10;
        if (span.Length > 1 && span[0] == '0')
        {
            switch (span[1])
            {
                case 'x' or 'X': radix = 16; span = span[2..]; break;
                case 'o' or 'O': radix = 8; span = span[2..]; break;
                case 'b' or 'B': radix = 2; span = span[2..]; break;
                default: radix = 8; span = span[1..]; break;
            }
            if (span.Length == 0) return false;
        }
        ulong acc = 0;
        foreach (var c in span)
        {
            int d = c switch { >= '0' and <= '9' => c - '0', >= 'a' and <= 'f' => c - 'a' + 10, >= 'A' and <= 'F' => c - 'A' + 10, _ => 99 };
            if (d >= radix) return false;
            acc = checked(acc * (ulong)radix + (ulong)d);
            if (acc > (ulong)long.MaxValue + 1) return false;
        }
        if (!neg && acc > long.MaxValue) return false;
        value = neg ? (long)(0 - acc) : (long)acc;
        return true;
    }
}
