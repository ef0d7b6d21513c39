using System.Runtime.InteropServices;
using NRunc.Container.State;
using NRunc.Native;

namespace NRunc.Container.Operations;

/// <summary>Signals and waits for a container's init through a pidfd, after checking its start time (no pid-reuse races).</summary>
public static class ProcessSignal
{
    /// <summary>
    /// Opens a pidfd for the record's init and checks that it is still the same process (start time); -1 when the
    /// process is gone or is another one now.
    /// </summary>
    public static int OpenInit(ContainerRecord record)
    {
        if (record.InitPid <= 0) return -1;
        int fd = Libc.StatePidfdOpen(record.InitPid, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ESRCH) return -1;
            throw new NativeException("pidfd_open", record.InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
        }
        // The pidfd pins this process; if its start time still matches, it is the container's init.
        if (!StatusProbe.IsInitAlive(record)) { Libc.close(fd); return -1; }
        return fd;
    }

    /// <summary>Sends <paramref name="signal"/> to init; false when init no longer exists.</summary>
    public static bool SignalInit(ContainerRecord record, int signal)
    {
        int fd = OpenInit(record);
        if (fd < 0) return false;
        try
        {
            if (Libc.StatePidfdSendSignal(fd, signal, 0) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.ESRCH) return false;
                throw new NativeException("pidfd_send_signal", record.InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
            }
            return true;
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Waits until init has exited (pidfd readable) or the timeout passes; true when it is gone.</summary>
    public static unsafe bool WaitInitGone(ContainerRecord record, TimeSpan timeout)
    {
        int fd = OpenInit(record);
        if (fd < 0) return true;
        try
        {
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (true)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0) return false;
                var pfd = new StatePollFd { Fd = fd, Events = StateConst.POLLIN };
                int n = Libc.StatePoll(&pfd, 1, (int)Math.Min(left, 100));
                if (n > 0) return true;
                // A zombie whose parent does not reap it still polls readable; a process stuck elsewhere is re-checked.
                if (!StatusProbe.IsInitAlive(record)) return true;
            }
        }
        finally { Libc.close(fd); }
    }

    /// <summary>kill(2) on a pid read from the cgroup; a process that is already gone is fine.</summary>
    public static void SignalPid(int pid, int signal)
    {
        if (Libc.kill(pid, signal) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ESRCH)
                throw new NativeException("kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
        }
    }
}
