using System.Diagnostics;

namespace NRunc.Container.Diagnostics;

/// <summary>
/// Per-phase timing of an operation, written as one debug line (`create: config 0.21ms, cgroups 0.40ms, ...`) when
/// --debug is on, so bench/ can show where the milliseconds go. Costs one timestamp per mark otherwise.
/// </summary>
public struct Timing
{
    long _last;
    List<(string, long)>? _marks;

    public static Timing Start() => new() { _last = Stopwatch.GetTimestamp(), _marks = Log.DebugEnabled ? [] : null };

    public void Mark(string phase)
    {
        if (_marks is null) return;
        long now = Stopwatch.GetTimestamp();
        _marks.Add((phase, now - _last));
        _last = now;
    }

    public readonly void Report(string operation)
    {
        if (_marks is null) return;
        var parts = _marks.Select(m => $"{m.Item1} {m.Item2 * 1000.0 / Stopwatch.Frequency:0.00}ms");
        Log.Debug($"{operation} timing: {string.Join(", ", parts)}");
    }
}
