namespace NRunc.Cgroups;

/// <summary>
/// Debug messages from the cgroup drivers (skipped controllers, ignored settings). NRunc.Cgroups sits below the
/// container library, so it cannot use its logger: the CLI points <see cref="DebugSink"/> at it when --debug is on.
/// </summary>
public static class CgroupLog
{
    public static Action<string>? DebugSink { get; set; }

    internal static bool Enabled => DebugSink is not null;

    internal static void Debug(string message) => DebugSink?.Invoke(message);
}
