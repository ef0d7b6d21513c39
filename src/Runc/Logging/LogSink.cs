using System.Text;
using Microsoft.Extensions.Logging;
using NRunc.Native;

namespace NRunc.Cli.Logging;

public enum LogFormat { Text, Json }

/// <summary>
/// Writes log records in runc's (logrus') formats to one fd, one write(2) per line so O_APPEND lines never interleave:
/// text <c>time="2026-11-25T13:00:00Z" level=error msg="..."</c>, json <c>{"level":"error","msg":"...","time":"..."}</c>.
/// </summary>
public sealed class LogSink : IDisposable
{
    int _fd;
    readonly bool _ownsFd;
    readonly TextWriter? _writer;
    public LogFormat Format { get; }
    /// <summary>True when the sink writes to a file given with --log (not stderr).</summary>
    public bool IsFile => _ownsFd;

    LogSink(int fd, bool ownsFd, LogFormat format) { _fd = fd; _ownsFd = ownsFd; Format = format; }

    public static LogSink Stderr(LogFormat format) => new(2, false, format);

    /// <summary>A sink writing to a TextWriter (tests capture stderr this way).</summary>
    public static LogSink ForWriter(TextWriter writer, LogFormat format) => new(-1, false, format, writer);

    LogSink(int fd, bool ownsFd, LogFormat format, TextWriter writer) : this(fd, ownsFd, format) => _writer = writer;

    /// <summary>Opens (creating, 0644) <paramref name="path"/> for appending, like runc at start-up.</summary>
    public static unsafe LogSink OpenFile(string path, LogFormat format)
    {
        int fd;
        fixed (byte* p = Utf8.Z(path))
            fd = Libc.open(p, StateConst.O_WRONLY | StateConst.O_CREAT | StateConst.O_APPEND | StateConst.O_CLOEXEC, 0x1a4);
        if (fd < 0) NativeException.Check(fd, "open", path);
        return new LogSink(fd, true, format);
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "fatal",
    };

    public void Write(LogLevel level, string message) => WriteRaw(FormatLine(Format, level, message, DateTime.UtcNow));

    /// <summary>One formatted line, newline included.</summary>
    public static string FormatLine(LogFormat format, LogLevel level, string message, DateTime utc)
    {
        var sb = new StringBuilder(64 + message.Length);
        var time = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (format == LogFormat.Json)
        {
            sb.Append("{\"level\":\"").Append(LevelName(level)).Append("\",\"msg\":");
            GoText.AppendJsonString(sb, message);
            sb.Append(",\"time\":\"").Append(time).Append("\"}\n");
        }
        else
        {
            sb.Append("time=\"").Append(time).Append("\" level=").Append(LevelName(level)).Append(" msg=");
            GoText.AppendLogfmtValue(sb, message);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public unsafe void WriteRaw(string line)
    {
        if (_writer is not null) { _writer.Write(line); _writer.Flush(); return; }
        if (_fd < 0) return;
        var bytes = Encoding.UTF8.GetBytes(line);
        fixed (byte* b = bytes)
        {
            nint done = 0;
            while (done < bytes.Length)
            {
                var n = Libc.write(_fd, b + done, bytes.Length - done);
                if (n < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    return; // nowhere left to report a failing log write
                }
                done += n;
            }
        }
    }

    public void Dispose()
    {
        if (_ownsFd && _fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}

/// <summary>Go's quoting rules as logrus and encoding/json apply them.</summary>
public static class GoText
{
    /// <summary>logrus' text formatter: bare when every char is in [A-Za-z0-9-._/@^+], else Go's %q.</summary>
    public static void AppendLogfmtValue(StringBuilder sb, string s)
    {
        bool bare = s.Length > 0;
        foreach (var c in s)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '/' or '@' or '^' or '+'))
            { bare = false; break; }
        }
        if (bare) { sb.Append(s); return; }
        NRunc.Container.Diagnostics.GoQuoting.Append(sb, s);
    }

    /// <summary>encoding/json's string escaping (HTML-safe: &lt; &gt; &amp; as \u003c \u003e \u0026).</summary>
    public static void AppendJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }
}
