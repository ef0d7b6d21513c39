using Microsoft.Extensions.Logging;
using NRunc.Cli.Logging;
using NRunc.Container;
using NRunc.Container.Diagnostics;
using NRunc.Native;

namespace NRunc.Cli;

/// <summary>
/// nrunc's entry: global flags, then the verb, then the verb's flags and arguments, exactly in runc 1.1's grammar.
/// Errors are printed once (see <see cref="ReportError"/>) and give exit status 1.
/// </summary>
public static class App
{
    public const string Version = "0.1.0";
    public const string SpecVersion = "1.3.0";

    /// <summary>The three --version lines engines parse.</summary>
    public static string VersionText => $"nrunc version {Version}\ncommit: {BuildInfo.Commit}\nspec: {SpecVersion}\n";

    public static Flag[] GlobalFlags() =>
    [
        new("debug", FlagKind.Bool, "enable debug logging"),
        new("log", FlagKind.Value, "set the log file to write nrunc logs to (default is '/dev/stderr')"),
        new("log-format", FlagKind.Value, "set the log format ('text' (default), or 'json')", defaultText: "\"text\""),
        new("root", FlagKind.Value, "root directory for storage of container state (this should be located in tmpfs)", defaultText: "\"/run/nrunc\""),
        new("criu", FlagKind.Value, "path to the criu binary used for checkpoint and restore (accepted and ignored: checkpoint is not supported)", defaultText: "\"criu\""),
        new("systemd-cgroup", FlagKind.Bool, "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:nrunc:434234\""),
        new("rootless", FlagKind.Value, "ignore cgroup permission errors ('true', 'false', or 'auto')", defaultText: "\"auto\""),
        new("help", FlagKind.Bool, "show help", "h"),
        new("version", FlagKind.Bool, "print the version", "v"),
    ];

    static LogSink? _sink;
    static TextWriter? _stderr;

    /// <summary>Runs one nrunc invocation; stdout and stderr are the process's own.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, null);

    /// <summary>
    /// Runs with the given stdout; <paramref name="stderr"/> replaces fd 2 for error and log output when given (tests).
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter? stderr)
    {
        _stderr = stderr;
        GlobalOptions? globals = null;
        try
        {
            var inv = Parse(args, stdout, out globals, out var answer);
            if (inv is null)
            {
                stdout.Write(answer);
                stdout.Flush();
                return 0;
            }
            SetUpLogging(inv.Globals);
            if (Log.DebugEnabled) Log.Debug("nrunc " + string.Join(' ', args));
            var rc = inv.Command.Action(inv);
            stdout.Flush();
            return rc;
        }
        catch (Exception e)
        {
            stdout.Flush();
            // Parse errors happen before logging is set up: still honour --log/--log-format when they were read.
            if (_sink is null && globals is not null)
            {
                try { SetUpLogging(globals); } catch (Exception) { _sink = null; }
            }
            ReportError(e.Message);
            return 1;
        }
        finally
        {
            _sink?.Dispose();
            _sink = null;
            _stderr = null;
            Log.Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            Log.DebugEnabled = false;
        }
    }

    /// <summary>
    /// Parses a command line. Returns the verb's invocation, or null when the call is answered by text alone
    /// (<paramref name="answer"/>: help or version). Throws <see cref="UsageException"/> on bad usage.
    /// </summary>
    public static Invocation? Parse(string[] args, TextWriter stdout, out GlobalOptions? globals, out string? answer)
    {
        globals = null;
        answer = null;
        var gflags = GlobalFlags();
        var gvalues = new FlagValues();
        var rest = new List<string>(args.Length);
        ArgParser.Parse(args, 0, n => Find(gflags, n), stopAtFirstArg: true, gvalues, rest);
        var g = new GlobalOptions();
        ApplyGlobals(g, gvalues);
        globals = g;
        if (gvalues.Bool("version")) { answer = VersionText; return null; }
        if (rest.Count == 0 || gvalues.Bool("help")) { answer = Help.AppHelp(); return null; }
        var verb = rest[0];
        if (verb is "help" or "h")
        {
            if (rest.Count == 1) { answer = Help.AppHelp(); return null; }
            var target = Verbs.Find(rest[1]) ?? throw new UsageException($"No help topic for '{rest[1]}'");
            answer = Help.CommandHelp(target);
            return null;
        }
        var cmd = Verbs.Find(verb) ?? throw new UsageException($"unknown command \"{verb}\" (see 'nrunc --help')");
        var values = new FlagValues();
        var positional = new List<string>();
        ArgParser.Parse(rest, 1, n => cmd.FindFlag(n), cmd.StopAtFirstArg, values, positional);
        if (values.Bool("help")) { answer = Help.CommandHelp(cmd); return null; }
        cmd.CheckArgs(positional.Count);
        return new Invocation(g, cmd, values, positional, stdout);
    }

    static Flag? Find(Flag[] flags, string name)
    {
        foreach (var f in flags) if (f.Matches(name)) return f;
        return null;
    }

    static void ApplyGlobals(GlobalOptions g, FlagValues v)
    {
        if (v.String("root") is { } root) g.Root = root.Length == 0 ? g.Root : Path.GetFullPath(root);
        g.LogPath = v.String("log") is { Length: > 0 } log ? log : null;
        g.LogFormat = v.String("log-format", "text");
        if (g.LogFormat is not ("text" or "json")) throw new UsageException($"invalid log-format: {g.LogFormat}");
        g.Debug = v.Bool("debug");
        g.SystemdCgroup = v.Bool("systemd-cgroup");
        g.Rootless = v.String("rootless", "auto");
        if (g.Rootless is not ("true" or "false" or "auto"))
            throw new UsageException($"invalid --rootless value: {g.Rootless} (expected true, false or auto)");
        g.Criu = v.String("criu", "criu");
    }

    /// <summary>Points <see cref="Log.Logger"/> at --log (or stderr) in --log-format; info level, debug with --debug.</summary>
    static void SetUpLogging(GlobalOptions g)
    {
        var format = g.LogFormat == "json" ? LogFormat.Json : LogFormat.Text;
        _sink = g.LogPath is not null ? LogSink.OpenFile(g.LogPath, format)
            : _stderr is not null ? LogSink.ForWriter(_stderr, format) : LogSink.Stderr(format);
        Log.Logger = new RuncLogger(_sink, g.Debug ? LogLevel.Debug : LogLevel.Information);
        Log.DebugEnabled = g.Debug;
    }

    /// <summary>
    /// runc's fatal(): the error goes to the log once; when the log is a file, stderr also gets the bare message
    /// (so the caller always sees it exactly once on stderr).
    /// </summary>
    public static void ReportError(string message)
    {
        var sink = _sink ?? (_stderr is not null ? LogSink.ForWriter(_stderr, LogFormat.Text) : LogSink.Stderr(LogFormat.Text));
        sink.Write(LogLevel.Error, message);
        if (sink.IsFile)
        {
            var err = _stderr ?? Console.Error;
            err.Write(message);
            err.Write('\n');
            err.Flush();
        }
    }
}
