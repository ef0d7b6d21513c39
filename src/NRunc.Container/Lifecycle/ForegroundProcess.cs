using System.Runtime.InteropServices;
using NRunc.Container.Process;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// A container process that nrunc waits for in the foreground (run, exec): signals sent to nrunc go to it, its pty is
/// relayed to the caller's terminal when nrunc holds the master, and its exit status (128+signal) is returned.
/// </summary>
internal static class ForegroundProcess
{
    // SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM as kernel numbers.
    static readonly int[] Forwarded = [1, 2, 3, 10, 12, 15];

    /// <summary>Forwards the usual terminating signals to <paramref name="pid"/> until disposed.</summary>
    public static IDisposable ForwardSignals(int pid) => new Registrations(Forwarded.Select(s =>
        PosixSignalRegistration.Create(ToPosixSignal(s), c =>
        {
            c.Cancel = true;
            Libc.kill(pid, s);
        })).ToArray());

    /// <summary>Waits for <paramref name="pid"/> (our child), relaying <paramref name="master"/> (or -1) meanwhile.</summary>
    public static int Wait(int pid, int master)
    {
        TerminalProxy? proxy = master >= 0 ? new TerminalProxy(master) : null;
        proxy?.Start();
        try
        {
            int status = HookRunner.WaitExit(pid);
            proxy?.WaitOutput(2000); // what the process wrote just before exiting still reaches the terminal
            return status;
        }
        finally
        {
            proxy?.Dispose();
        }
    }

    /// <summary>.NET names the four signals it abstracts with negative values; the others by their number.</summary>
    static PosixSignal ToPosixSignal(int signal) => signal switch
    {
        1 => PosixSignal.SIGHUP, 2 => PosixSignal.SIGINT, 3 => PosixSignal.SIGQUIT, 15 => PosixSignal.SIGTERM,
        _ => (PosixSignal)signal,
    };

    sealed class Registrations(PosixSignalRegistration[] all) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in all) r.Dispose();
        }
    }
}
