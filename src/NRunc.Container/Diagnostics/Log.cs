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

    public static void Debug(string message) { if (DebugEnabled) Logger.LogDebug("{Message}", message); }
    public static void Info(string message) => Logger.LogInformation("{Message}", message);
    public static void Warn(string message) => Logger.LogWarning("{Message}", message);
    public static void Error(string message) => Logger.LogError("{Message}", message);
}
