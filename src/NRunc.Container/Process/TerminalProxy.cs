using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Container.Process;

/// <summary>
/// Foreground `run` with process.terminal and no console socket: nrunc holds the pty master itself and relays between
/// the caller's terminal and the container. The caller's terminal goes into raw mode (restored on dispose), stdin is
/// copied to the master and the master to stdout on one dedicated thread with poll(2), and SIGWINCH copies the
/// caller's window size to the master.
/// </summary>
public sealed unsafe class TerminalProxy : IDisposable
{
    readonly int _master, _in, _out;
    readonly int[] _wake = [-1, -1];
    Libc.ProcessTermios _saved;
    bool _restore;
    Thread? _thread;
    PosixSignalRegistration? _winch;
    readonly ManualResetEventSlim _outputDone = new(false);
    volatile bool _stop;

    const uint IGNBRK = 1, BRKINT = 2, PARMRK = 8, ISTRIP = 0x20, INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100, IXON = 0x400;
    const uint OPOST = 1, ECHO = 8, ECHONL = 0x40, ICANON = 2, ISIG = 1, IEXTEN = 0x8000, CSIZE = 0x30, PARENB = 0x100, CS8 = 0x30;
    const int VTIME = 5, VMIN = 6;
    const short POLLIN = 1;

    /// <param name="master">The pty master (the proxy does not close it).</param>
    public TerminalProxy(int master, int stdin = 0, int stdout = 1)
    {
        _master = master; _in = stdin; _out = stdout;
    }

    /// <summary>True once everything the container wrote has been copied out (the slave side was closed).</summary>
    public bool OutputDone => _outputDone.IsSet;

    /// <summary>Raw mode, initial window size, SIGWINCH forwarding, and the copy thread.</summary>
    public void Start()
    {
        if (Libc.ProcessIsatty(_in) == 1)
        {
            Libc.ProcessTermios t;
            if (Libc.ProcessIoctl(_in, Libc.TCGETS, &t) == 0)
            {
                _saved = t;
                MakeRaw(ref t);
                if (Libc.ProcessIoctl(_in, Libc.TCSETS, &t) == 0) _restore = true;
            }
            CopyWindowSize();
            _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopyWindowSize());
        }
        fixed (int* w = _wake) NativeException.Check(Libc.pipe2(w, Libc.O_CLOEXEC | Libc.O_NONBLOCK), "pipe2");
        _thread = new Thread(Copy) { IsBackground = true, Name = "nrunc-tty" };
        _thread.Start();
    }

    /// <summary>cfmakeraw(3).</summary>
    public static void MakeRaw(ref Libc.ProcessTermios t)
    {
        t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        t.c_oflag &= ~OPOST;
        t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_cflag &= ~(CSIZE | PARENB);
        t.c_cflag |= CS8;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
    }

    /// <summary>TIOCGWINSZ on stdin → TIOCSWINSZ on the master.</summary>
    public void CopyWindowSize()
    {
        Libc.ProcessWinsize ws;
        if (Libc.ProcessIoctl(_in, Libc.TIOCGWINSZ, &ws) == 0) Libc.ProcessIoctl(_master, Libc.TIOCSWINSZ, &ws);
    }

    /// <summary>Waits until the container's output is drained (slave closed), up to <paramref name="timeoutMs"/>.</summary>
    public bool WaitOutput(int timeoutMs = Timeout.Infinite) => _outputDone.Wait(timeoutMs);

    void Copy()
    {
        byte* buf = stackalloc byte[32 * 1024];
        bool inOpen = true;
        var fds = stackalloc Libc.ProcessPollFd[3];
        try
        {
            while (!_stop)
            {
                int n = 0;
                fds[n++] = new Libc.ProcessPollFd { fd = _master, events = POLLIN };
                fds[n++] = new Libc.ProcessPollFd { fd = _wake[0], events = POLLIN };
                if (inOpen) fds[n++] = new Libc.ProcessPollFd { fd = _in, events = POLLIN };
                int r = Libc.ProcessPoll(fds, (nuint)n, -1);
                if (r < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    return;
                }
                if (fds[1].revents != 0) return;
                if (fds[0].revents != 0)
                {
                    nint got = Libc.read(_master, buf, 32 * 1024);
                    if (got > 0) { if (!WriteAll(_out, buf, got)) return; }
                    else if (got == 0 || Marshal.GetLastPInvokeError() is not (Errno.EINTR or Errno.EAGAIN)) return; // EIO: slave closed
                }
                if (inOpen && fds[2].revents != 0)
                {
                    nint got = Libc.read(_in, buf, 32 * 1024);
                    if (got > 0) WriteAll(_master, buf, got);
                    else if (got == 0 || Marshal.GetLastPInvokeError() is not (Errno.EINTR or Errno.EAGAIN)) inOpen = false; // EOF: stop reading stdin
                }
            }
        }
        finally
        {
            _outputDone.Set();
        }
    }

    static bool WriteAll(int fd, byte* p, nint len)
    {
        while (len > 0)
        {
            nint w = Libc.write(fd, p, len);
            if (w < 0)
            {
                if (Marshal.GetLastPInvokeError() is Errno.EINTR or Errno.EAGAIN) continue;
                return false;
            }
            p += w; len -= w;
        }
        return true;
    }

    /// <summary>Stops forwarding and restores the caller's terminal.</summary>
    public void Dispose()
    {
        _stop = true;
        if (_wake[1] >= 0)
        {
            byte b = 1;
            Libc.write(_wake[1], &b, 1);
        }
        _thread?.Join(2000);
        _winch?.Dispose();
        if (_restore)
        {
            var t = _saved;
            Libc.ProcessIoctl(_in, Libc.TCSETSW, &t);
            _restore = false;
        }
        for (int i = 0; i < 2; i++) if (_wake[i] >= 0) { Libc.close(_wake[i]); _wake[i] = -1; }
        _outputDone.Dispose();
    }
}
