using System.Diagnostics;

namespace NRunc.Tests.Cri;

/// <summary>Thrown by a scenario that cannot run here; reported as a TAP skip with the reason.</summary>
public sealed class SkipException(string reason) : Exception(reason);

/// <summary>Thrown when a check fails; the message says what was expected and what was seen.</summary>
public sealed class CheckFailed(string message) : Exception(message);

/// <summary>Runs scenarios one after another and prints TAP lines (plan at the end).</summary>
public sealed class Tap(string prefix)
{
    int _count;
    public int Failed { get; private set; }

    public async Task Run(string name, Func<Task> scenario)
    {
        var sw = Stopwatch.StartNew();
        string? skip = null;
        Exception? failure = null;
        try
        {
            await scenario();
        }
        catch (SkipException e)
        {
            skip = e.Message;
        }
        catch (Exception e)
        {
            failure = e;
        }
        _count++;
        var title = $"{prefix}{name}";
        if (skip != null)
            Console.WriteLine($"ok {_count} {title} # skip {skip}");
        else if (failure == null)
            Console.WriteLine($"ok {_count} {title} ({sw.ElapsedMilliseconds} ms)");
        else
        {
            Failed++;
            Console.WriteLine($"not ok {_count} {title}");
            var text = failure is CheckFailed or Grpc.Core.RpcException ? failure.Message : failure.ToString();
            foreach (var line in text.Split('\n'))
                Console.WriteLine($"# {line}");
        }
    }

    public static void Comment(string text) => Console.WriteLine($"# {text}");

    public void Plan() => Console.WriteLine($"1..{_count}");
}

/// <summary>Assertions that throw CheckFailed with both sides in the message.</summary>
public static class Check
{
    public static void True(bool condition, string what)
    {
        if (!condition) throw new CheckFailed(what);
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new CheckFailed($"{what}: expected '{expected}', got '{actual}'");
    }

    public static void Contains(string haystack, string needle, string what)
    {
        if (!haystack.Contains(needle, StringComparison.Ordinal))
            throw new CheckFailed($"{what}: expected to contain '{needle}', got '{haystack.Trim()}'");
    }

    public static void NotContains(string haystack, string needle, string what)
    {
        if (haystack.Contains(needle, StringComparison.Ordinal))
            throw new CheckFailed($"{what}: expected not to contain '{needle}', got '{haystack.Trim()}'");
    }
}
