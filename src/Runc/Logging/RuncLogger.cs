using Microsoft.Extensions.Logging;

namespace NRunc.Cli.Logging;

/// <summary>An ILogger writing runc's log lines to a <see cref="LogSink"/>; records below the minimum level cost one compare.</summary>
public sealed class RuncLogger(LogSink sink, LogLevel minLevel) : ILogger
{
    public LogSink Sink { get; } = sink;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var msg = formatter(state, exception);
        if (exception is not null && msg.Length == 0) msg = exception.Message;
        Sink.Write(logLevel, msg);
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
}

/// <summary>The provider for hosts that want one; nrunc itself sets <c>Log.Logger</c> to a <see cref="RuncLogger"/> directly.</summary>
public sealed class RuncLoggerProvider(LogSink sink, LogLevel minLevel) : ILoggerProvider
{
    readonly RuncLogger _logger = new(sink, minLevel);
    public ILogger CreateLogger(string categoryName) => _logger;
    public void Dispose() => sink.Dispose();
}
