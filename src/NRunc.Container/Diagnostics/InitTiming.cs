using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NRunc.Container.Diagnostics;

/// <summary>
/// Phase durations measured inside `nrunc init` (only when create runs with --debug, which sets _NRUNC_DEBUG).
/// They travel to the parent in the "ready" message, which logs them as an `init timing:` line next to
/// `create timing:`. The first value is init's entry time on the monotonic clock (shared by both processes),
/// so the parent can tell how long the clone, exec and runtime start took.
/// </summary>
public sealed class InitTiming
{
    readonly long _entered;
    long _last;
    readonly StringBuilder _phases = new();

    InitTiming(long entered) { _entered = entered; _last = entered; }

    /// <summary>Null unless the parent asked for timing; call as the first thing in init.</summary>
    public static InitTiming? FromEnvironment() =>
        Environment.GetEnvironmentVariable("_NRUNC_DEBUG") == "1" ? new InitTiming(Stopwatch.GetTimestamp()) : null;

    public void Mark(string phase)
    {
        long now = Stopwatch.GetTimestamp();
        _phases.Append(CultureInfo.InvariantCulture, $", {phase} {Ms(now - _last):0.00}ms");
        _last = now;
    }

    /// <summary>"ENTERED_TICKS PHASES": what the ready message carries.</summary>
    public string Encode() => _entered.ToString(CultureInfo.InvariantCulture) + " " + _phases.ToString().TrimStart(',', ' ');

    /// <summary>Turns an encoded value into the log line's text, with the start phase measured from <paramref name="cloned"/>.</summary>
    public static string Describe(string encoded, long cloned)
    {
        int space = encoded.IndexOf(' ');
        if (space < 0 || !long.TryParse(encoded.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out long entered))
            return encoded;
        var rest = encoded[(space + 1)..];
        return $"start {Ms(Math.Max(0, entered - cloned)):0.00}ms" + (rest.Length > 0 ? ", " + rest : "");
    }

    static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
