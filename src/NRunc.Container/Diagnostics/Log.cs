using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NRunc.Container.Diagnostics;

/// <summary>
/// The process-wide logger, set once by the CLI from --log/--log-format/--debug. No DI: a static field costs nothing
/// at start-up. Guard message formatting with <see cref="DebugEnabled"/> on hot paths.
/// </summary>
public static class Log
{
    public static ILogger Logger { get; set; } = NullLogger.Instance;
    public static bool DebugEnabled { get; set; }

    public static void Debug(string message) { if (DebugEnabled) Write(LogLevel.Debug, message); }
    public static void Info(string message) => Write(LogLevel.Information, message);
    public static void Warn(string message) => Write(LogLevel.Warning, message);
    public static void Error(string message) => Write(LogLevel.Error, message);

    // The message is the state and the formatter returns it: no template parsing, nothing allocated when disabled.
    static void Write(LogLevel level, string message)
    {
        if (Logger.IsEnabled(level)) Logger.Log(level, default, message, null, static (s, _) => s);
    }
}
