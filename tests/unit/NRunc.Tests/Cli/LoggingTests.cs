using Microsoft.Extensions.Logging;
using NRunc.Cli.Logging;
using Xunit;

namespace NRunc.Tests.Cli;

public class LoggingTests
{
    static readonly DateTime T = new(2026, 11, 25, 13, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(LogLevel.Error, "container \"x\" does not exist", "time=\"2026-11-25T13:00:00Z\" level=error msg=\"container \\\"x\\\" does not exist\"\n")]
    [InlineData(LogLevel.Information, "hello", "time=\"2026-11-25T13:00:00Z\" level=info msg=hello\n")]
    [InlineData(LogLevel.Warning, "a/b-c.d_e@f^g+h", "time=\"2026-11-25T13:00:00Z\" level=warning msg=a/b-c.d_e@f^g+h\n")]
    [InlineData(LogLevel.Debug, "tab\there\nnl", "time=\"2026-11-25T13:00:00Z\" level=debug msg=\"tab\\there\\nnl\"\n")]
    [InlineData(LogLevel.Critical, "", "time=\"2026-11-25T13:00:00Z\" level=fatal msg=\"\"\n")]
    public void TextIsLogrusShaped(LogLevel level, string msg, string expected) =>
        Assert.Equal(expected, LogSink.FormatLine(LogFormat.Text, level, msg, T));

    [Fact]
    public void JsonIsLogrusShapedAndGoEscaped()
    {
        Assert.Equal("{\"level\":\"error\",\"msg\":\"a \\\"b\\\" \\u003cc\\u003e \\u0026 \\u0001\\n\",\"time\":\"2026-11-25T13:00:00Z\"}\n",
            LogSink.FormatLine(LogFormat.Json, LogLevel.Error, "a \"b\" <c> & \u0001\n", T));
        Assert.Equal("{\"level\":\"warning\",\"msg\":\"ünïcode\",\"time\":\"2026-11-25T13:00:00Z\"}\n",
            LogSink.FormatLine(LogFormat.Json, LogLevel.Warning, "ünïcode", T));
    }

    [Fact]
    public void LoggerFiltersBelowItsLevelAndWritesWholeLines()
    {
        var w = new StringWriter();
        var logger = new RuncLogger(LogSink.ForWriter(w, LogFormat.Json), LogLevel.Information);
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.True(logger.IsEnabled(LogLevel.Information));
        logger.LogDebug("hidden");
        logger.LogInformation("shown {X}", 1);
        logger.LogError("bad");
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"msg\":\"shown 1\"", lines[0]);
        Assert.StartsWith("{\"level\":\"error\",\"msg\":\"bad\"", lines[1]);
    }

    [Fact]
    public void ProviderHandsOutTheLogger()
    {
        var w = new StringWriter();
        using var p = new RuncLoggerProvider(LogSink.ForWriter(w, LogFormat.Text), LogLevel.Debug);
        p.CreateLogger("x").LogDebug("d");
        Assert.Contains("level=debug msg=d", w.ToString());
    }

    [Fact]
    public void LogFileIsAppended()
    {
        var path = Path.Combine(Path.GetTempPath(), "nrunc-log-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var s = LogSink.OpenFile(path, LogFormat.Json)) s.Write(LogLevel.Error, "one");
            using (var s = LogSink.OpenFile(path, LogFormat.Json)) s.Write(LogLevel.Error, "two");
            var lines = File.ReadAllLines(path);
            Assert.Equal(2, lines.Length);
            Assert.Contains("one", lines[0]);
            Assert.Contains("two", lines[1]);
        }
        finally { File.Delete(path); }
    }
}
