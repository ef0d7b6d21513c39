using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Shim.Processes;

/// <summary>
/// The shim is a child subreaper: container inits and detached exec processes become its children when the runtime
/// exits. One thread waits for every child (wait4(-1)) and hands each exit status to whoever asked for that pid,
/// or keeps it (with the time it was seen) for a caller that learns the pid only later, from a pid file.
/// </summary>
public static unsafe class Reaper
{
    static readonly object Gate = new();
    static readonly Dictionary<int, TaskCompletionSource<int>> Waiters = new();
    static readonly Dictionary<int, (int Status, long Ticks)> Unclaimed = new();
    static readonly SemaphoreSlim ChildStarted = new(0);
    static Thread? thread;

    /// <summary>Called after each spawn: starts the reaper on first use, wakes it if it saw no children.</summary>
    public static void Started()
    {
        lock (Gate)
        {
            if (thread == null)
            {
                thread = new Thread(Loop) { IsBackground = true, Name = "reaper" };
                thread.Start();
            }
        }
        ChildStarted.Release();
    }

    /// <summary>The wait(2) status of <paramref name="pid"/> once it exits. An exit seen before the call counts only
    /// if it was seen after <paramref name="sinceTicks"/> (so a recycled pid's old status is not reported).</summary>
    public static Task<int> WaitFor(int pid, long sinceTicks = 0)
    {
        lock (Gate)
        {
            if (Unclaimed.Remove(pid, out var seen) && seen.Ticks >= sinceTicks) return Task.FromResult(seen.Status);
            if (!Waiters.TryGetValue(pid, out var tcs))
                Waiters[pid] = tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            return tcs.Task;
        }
    }

    /// <summary>Exit code as a shell reports it: the status, or 128 + the signal that killed the process.</summary>
    public static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    static void Loop()
    {
        while (true)
        {
            int status;
            int pid = Libc.ShimWait4(-1, &status, Libc.__WALL, null);
            if (pid < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.ECHILD_SHIM) ChildStarted.Wait(1000);
                continue;
            }
            TaskCompletionSource<int>? tcs;
            lock (Gate)
            {
                if (Waiters.Remove(pid, out tcs)) { }
                else
                {
                    if (Unclaimed.Count > 4096) Unclaimed.Clear();
                    Unclaimed[pid] = (status, Environment.TickCount64);
                }
            }
            tcs?.TrySetResult(status);
        }
    }
}
