using System.Diagnostics;

namespace NRunc.Container.Diagnostics;

/// <summary>
/// Crash-injection points for the reliability suite. They exist only in the test flavour (`-c Faults` defines
/// NRUNC_FAULTS, built into out/test/ by tests/reliability/build-faults.sh): there, NRUNC_FAULT=NAME makes nrunc SIGKILL
/// itself at the point called NAME. A point named "init-*" runs in the container's init, which cannot see the create
/// process from its own pid namespace: it asks create over the init socket to kill itself, and carries on.
/// The shipped binary has no calls and no code (the calls are [Conditional], the bodies are #if'd out).
/// </summary>
public static class FaultPoint
{
    const string EnvName = "NRUNC_FAULT";
    /// <summary>The init-protocol message type init sends at an init-* point.</summary>
    const string KillMeMessage = "fault-kill-me";

    [Conditional("NRUNC_FAULTS")]
    public static void Hit(string name)
    {
#if NRUNC_FAULTS
        if (Environment.GetEnvironmentVariable(EnvName) != name) return;
        if (name.StartsWith("init-", StringComparison.Ordinal))
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("_NRUNC_INIT_SOCK"), out var sock))
                NRunc.Container.Lifecycle.InitChannel.SendMessage(sock, KillMeMessage);
            return;
        }
        KillSelf();
#endif
    }

    /// <summary>Create's side of an init-* point: an unknown message from init may be the request to die now.</summary>
    [Conditional("NRUNC_FAULTS")]
    public static void OnInitMessage(string type)
    {
#if NRUNC_FAULTS
        if (type == KillMeMessage) KillSelf();
#endif
    }

    /// <summary>Passes NRUNC_FAULT on to a child whose environment nrunc builds itself (init).</summary>
    [Conditional("NRUNC_FAULTS")]
    public static void PassTo(List<string> env)
    {
#if NRUNC_FAULTS
        if (Environment.GetEnvironmentVariable(EnvName) is { } v) env.Add(EnvName + "=" + v);
#endif
    }

#if NRUNC_FAULTS
    static void KillSelf()
    {
        NRunc.Native.Libc.kill(Environment.ProcessId, 9);
        Thread.Sleep(Timeout.Infinite);
    }
#endif
}
