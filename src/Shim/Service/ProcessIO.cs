using System.Net.Sockets;
using System.Runtime.InteropServices;
using NRunc.Native;
using NRunc.Shim.Processes;
using NRunc.Shim.Ttrpc;

namespace NRunc.Shim.Service;

/// <summary>
/// A process's stdio as containerd hands it over. Output fifos are opened read-write (the open never blocks, and
/// the container never gets SIGPIPE while nobody reads, as with the runc shim's extra reader) and given straight
/// to the container: no copy, so nothing is lost at exit and EOF reaches the reader when the last writer exits.
/// stdin is copied through a pipe so that CloseIO can end it. A terminal comes back through a console socket; the
/// shim then copies between the pty master and the fifos. `file://` logs are opened in append mode and given to the
/// container; `binary://` starts the logger with the output pipes as its fds 3 and 4 and waits on fd 5.
/// </summary>
public sealed unsafe class ProcessIO : IDisposable
{
    public string Stdin { get; }
    public string Stdout { get; }
    public string Stderr { get; }
    public bool Terminal { get; }

    /// <summary>The runtime's fds 0, 1, 2 (inherited by the container); close with <see cref="CloseChildFds"/>.</summary>
    public int[] ChildFds { get; } = [-1, -1, -1];
    public string? ConsoleSocketPath { get; private set; }

    Socket? consoleListener;
    int master = -1, stdinFifo = -1, stdinPipeWrite = -1, wakeRead = -1, wakeWrite = -1, terminalOut = -1;
    readonly ManualResetEventSlim outputDone = new(true);
    readonly object gate = new();

    ProcessIO(string stdin, string stdout, string stderr, bool terminal)
    {
        Stdin = stdin; Stdout = stdout; Stderr = stderr; Terminal = terminal;
    }

    public static ProcessIO Open(string stdin, string stdout, string stderr, bool terminal, string id, string ns)
    {
        var io = new ProcessIO(stdin, stdout, stderr, terminal);
        try { io.Setup(id, ns); }
        catch (Exception e) when (e is not RpcException)
        {
            io.Dispose();
            io.CloseChildFds();
            throw new RpcException(Code.Unknown, "stdio: " + e.Message);
        }
        return io;
    }

    void Setup(string id, string ns)
    {
        if (Terminal)
        {
            for (int i = 0; i < 3; i++) ChildFds[i] = Pipes.OpenDevNull();
            ConsoleSocketPath = Path.Combine(Path.GetTempPath(), $"nrunc-shim-pty-{Guid.NewGuid():N}.sock");
            consoleListener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            consoleListener.Bind(new UnixDomainSocketEndPoint(ConsoleSocketPath));
            consoleListener.Listen(1);
            if (Stdout.Length > 0) terminalOut = OpenOutput(Stdout);
            if (Stdin.Length > 0) stdinFifo = Pipes.Open(Stdin, Libc.O_RDONLY | Libc.O_NONBLOCK);
            return;
        }
        if (Stdin.Length > 0)
        {
            stdinFifo = Pipes.Open(Stdin, Libc.O_RDONLY | Libc.O_NONBLOCK);
            var p = Pipes.Create();
            ChildFds[0] = p.Read;
            stdinPipeWrite = p.Write;
            StartStdinCopy(p.Write);
        }
        else ChildFds[0] = Pipes.OpenDevNull();

        var uri = Stdout.Length > 0 && Stdout.Contains("://") ? new Uri(Stdout) : null;
        if (uri?.Scheme == "file")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(uri.LocalPath)!);
            ChildFds[1] = Pipes.Open(uri.LocalPath, Libc.O_WRONLY | Libc.O_CREAT | 0x400 /* O_APPEND */, 0x1A0 /* 0640 */);
            ChildFds[2] = Libc.fcntl_int(ChildFds[1], Libc.F_DUPFD_CLOEXEC, 3);
        }
        else if (uri?.Scheme == "binary") StartLogger(uri, id, ns);
        else if (uri != null && uri.Scheme != "fifo") throw new RpcException(Code.InvalidArgument, $"stdout: unsupported log URI scheme {uri.Scheme} (want binary:// or file://)");
        else
        {
            ChildFds[1] = Stdout.Length > 0 ? OpenOutput(Stdout) : Pipes.OpenDevNull();
            ChildFds[2] = Stderr.Length > 0 ? OpenOutput(Stderr) : Pipes.OpenDevNull();
        }
    }

    /// <summary>A fifo read-write; anything else (a plain file path) for appending.</summary>
    static int OpenOutput(string path)
    {
        var z = Utf8.Z(path);
        Libc.Statx st;
        fixed (byte* p = z)
            if (Libc.statx(Libc.AT_FDCWD, p, 0, Libc.STATX_TYPE, &st) == 0 && (st.stx_mode & Libc.S_IFMT) == Libc.S_IFIFO)
                return Pipes.Open(path, Libc.O_RDWR);
        return Pipes.Open(path, Libc.O_WRONLY | Libc.O_CREAT | 0x400, 0x1A0 /* 0640 */);
    }

    void StartLogger(Uri uri, string id, string ns)
    {
        var bin = uri.LocalPath;
        var args = new List<string> { bin };
        var q = uri.Query.TrimStart('?');
        foreach (var kv in q.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = kv.IndexOf('=');
            args.Add(Uri.UnescapeDataString(eq < 0 ? kv : kv[..eq]));
            if (eq >= 0 && eq + 1 < kv.Length) args.Add(Uri.UnescapeDataString(kv[(eq + 1)..]));
        }
        var outP = Pipes.Create();
        var errP = Pipes.Create();
        var ready = Pipes.Create();
        int devnull = Pipes.OpenDevNull();
        try
        {
            Spawner.Spawn(args.ToArray(), [devnull, devnull, devnull, outP.Read, errP.Read, ready.Write],
                extraEnv: [$"CONTAINER_ID={id}", $"CONTAINER_NAMESPACE={ns}"]);
        }
        finally
        {
            Libc.close(devnull); Libc.close(outP.Read); Libc.close(errP.Read); Libc.close(ready.Write);
        }
        ChildFds[1] = outP.Write;
        ChildFds[2] = errP.Write;
        // The logger closes fd 5 when it is ready to read (or exits); wait at most 10 s like containerd.
        var pfd = new Libc.PollFd { Fd = ready.Read, Events = Libc.POLL_IN };
        Libc.PollFds(&pfd, 1, 10_000);
        Libc.close(ready.Read);
    }

    /// <summary>Accepts the runtime's console socket connection and takes the pty master (runs while the runtime
    /// creates the container; a failed create disposes the listener, which ends the wait).</summary>
    public void ReceiveConsole()
    {
        using var conn = consoleListener!.Accept();
        master = ReceiveFd((int)conn.Handle);
        Pipes.SetBlocking(master);
        outputDone.Reset();
        new Thread(CopyTerminalOutput) { IsBackground = true, Name = "pty-out" }.Start();
        if (stdinFifo >= 0) StartStdinCopy(master);
        CloseConsoleListener();
    }

    void CloseConsoleListener()
    {
        consoleListener?.Dispose();
        consoleListener = null;
        if (ConsoleSocketPath != null) { try { File.Delete(ConsoleSocketPath); } catch (IOException) { } }
    }

    [StructLayout(LayoutKind.Sequential)] struct IoVec { public void* Base; public nuint Len; }
    [StructLayout(LayoutKind.Sequential)]
    struct MsgHdr { public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen; public void* Control; public nuint ControlLen; public int Flags; }

    static int ReceiveFd(int sock)
    {
        byte* buf = stackalloc byte[512];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        var iov = new IoVec { Base = buf, Len = 512 };
        var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n = Libc.recvmsg(sock, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
        if (n < 0) throw new NativeException("recvmsg", "console socket", Marshal.GetLastPInvokeError());
        // struct cmsghdr { size_t len; int level; int type; } then the fd (SOL_SOCKET=1, SCM_RIGHTS=1).
        if (msg.ControlLen < 20 || *(int*)(control + 8) != 1 || *(int*)(control + 12) != 1)
            throw new RpcException(Code.Unknown, "console socket: no pty master received");
        return *(int*)(control + 16);
    }

    void CopyTerminalOutput()
    {
        var buf = new byte[32 * 1024];
        fixed (byte* b = buf)
        {
            while (true)
            {
                nint n = Libc.read(master, b, buf.Length);
                if (n < 0 && Marshal.GetLastPInvokeError() == 4) continue;
                if (n <= 0) break; // EIO: every slave fd is closed
                if (terminalOut >= 0) Pipes.WriteAll(terminalOut, new ReadOnlySpan<byte>(b, (int)n));
            }
        }
        lock (gate) { if (terminalOut >= 0) { Libc.close(terminalOut); terminalOut = -1; } }
        outputDone.Set();
    }

    /// <summary>Copies the stdin fifo to <paramref name="dst"/> until the writer closes it or CloseIO. The fifo is
    /// read non-blocking after poll: a fifo whose writer has not opened it yet polls as not ready (no early EOF).</summary>
    void StartStdinCopy(int dst)
    {
        var wake = Pipes.Create();
        wakeRead = wake.Read;
        wakeWrite = wake.Write;
        int src = stdinFifo;
        new Thread(() =>
        {
            var buf = new byte[32 * 1024];
            var fds = stackalloc Libc.PollFd[2];
            fixed (byte* b = buf)
            {
                while (true)
                {
                    fds[0] = new Libc.PollFd { Fd = src, Events = Libc.POLL_IN };
                    fds[1] = new Libc.PollFd { Fd = wake.Read, Events = Libc.POLL_IN };
                    if (Libc.PollFds(fds, 2, -1) < 0) { if (Marshal.GetLastPInvokeError() == 4) continue; break; }
                    if (fds[1].Revents != 0) break;
                    nint n = Libc.read(src, b, buf.Length);
                    if (n < 0 && Marshal.GetLastPInvokeError() is 11 or 4) continue;
                    if (n <= 0) break;
                    if (!Pipes.WriteAll(dst, new ReadOnlySpan<byte>(b, (int)n))) break;
                }
            }
            CloseStdin();
            lock (gate) { Libc.close(src); stdinFifo = -1; Libc.close(wake.Read); }
        }) { IsBackground = true, Name = "stdin" }.Start();
    }

    /// <summary>CloseIO: the container's stdin reaches EOF (pipe closed); for a terminal only the copy stops.</summary>
    public void CloseStdin()
    {
        lock (gate)
        {
            if (wakeWrite >= 0) { byte x = 1; Libc.write(wakeWrite, &x, 1); }
            if (stdinPipeWrite >= 0) { Libc.close(stdinPipeWrite); stdinPipeWrite = -1; }
        }
    }

    public void Resize(uint width, uint height)
    {
        if (master < 0) throw new RpcException(Code.FailedPrecondition, "process has no terminal");
        var ws = new Libc.ProcessWinsize { ws_col = (ushort)width, ws_row = (ushort)height };
        NativeException.Check(Libc.ProcessIoctl(master, Libc.TIOCSWINSZ, &ws), "ioctl TIOCSWINSZ", "pty master");
    }

    /// <summary>Waits until the terminal output copy has drained (the pty slave is closed everywhere).</summary>
    public bool WaitOutput(TimeSpan timeout) => outputDone.Wait(timeout);

    public void CloseChildFds()
    {
        for (int i = 0; i < 3; i++) if (ChildFds[i] >= 0) { Libc.close(ChildFds[i]); ChildFds[i] = -1; }
    }

    public void Dispose()
    {
        CloseConsoleListener();
        CloseStdin();
        lock (gate)
        {
            if (stdinFifo >= 0 && wakeWrite < 0) { Libc.close(stdinFifo); stdinFifo = -1; }
            if (wakeWrite >= 0) { Libc.close(wakeWrite); wakeWrite = -1; }
            if (master >= 0 && outputDone.IsSet) { Libc.close(master); master = -1; }
            if (terminalOut >= 0 && outputDone.IsSet) { Libc.close(terminalOut); terminalOut = -1; }
        }
    }
}
