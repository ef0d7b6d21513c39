using System.Runtime.InteropServices;
using NRunc.Container;
using NRunc.Container.Process;
using NRunc.Native;
using Xunit;

namespace NRunc.Tests.ContainerProcess;

public unsafe class ConsoleTests
{
    static (int A, int B) SocketPair()
    {
        int* sv = stackalloc int[2];
        NativeException.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv), "socketpair");
        return (sv[0], sv[1]);
    }

    static string ReadSome(int fd)
    {
        byte* buf = stackalloc byte[256];
        var fds = new Libc.ProcessPollFd { fd = fd, events = 1 };
        Assert.Equal(1, Libc.ProcessPoll(&fds, 1, 5000));
        nint n = Libc.read(fd, buf, 256);
        Assert.True(n > 0);
        return System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }

    static void Write(int fd, string s)
    {
        var b = System.Text.Encoding.UTF8.GetBytes(s);
        fixed (byte* p = b) Assert.Equal(b.Length, (int)Libc.write(fd, p, b.Length));
    }

    static void MakeRaw(int fd)
    {
        Libc.ProcessTermios t;
        NativeException.Check(Libc.ProcessIoctl(fd, Libc.TCGETS, &t), "TCGETS");
        TerminalProxy.MakeRaw(ref t);
        NativeException.Check(Libc.ProcessIoctl(fd, Libc.TCSETS, &t), "TCSETS");
    }

    [Fact]
    public void OpenPtyVerifiesAndPairsMasterWithSlave()
    {
        using var pty = ConsoleSetup.OpenPty(Libc.AT_FDCWD, "/dev/ptmx");
        Assert.StartsWith("/dev/pts/", pty.SlaveName);
        Assert.True(File.Exists(pty.SlaveName));
        MakeRaw(pty.Slave);
        Write(pty.Slave, "from-slave");
        Assert.Equal("from-slave", ReadSome(pty.Master));
        ConsoleSetup.Resize(pty.Master, 33, 101);
        Libc.ProcessWinsize ws;
        NativeException.Check(Libc.ProcessIoctl(pty.Slave, Libc.TIOCGWINSZ, &ws), "TIOCGWINSZ");
        Assert.Equal((33, 101), (ws.ws_row, ws.ws_col));
    }

    [Fact]
    public void OpenPtyInsideRootResolvesThere()
    {
        int root;
        fixed (byte* p = "/\0"u8) root = Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        try
        {
            using var pty = ConsoleSetup.OpenPty(root, "/dev/ptmx");
            Assert.StartsWith("/dev/pts/", pty.SlaveName);
        }
        finally { Libc.close(root); }
    }

    [Fact]
    public void NonPtmxIsRefused()
    {
        var e = Assert.Throws<ContainerException>(() => ConsoleSetup.OpenPty(Libc.AT_FDCWD, "/dev/null"));
        Assert.Contains("is not the ptmx device", e.Message);
    }

    [Fact]
    public void MasterTravelsOverConsoleSocketLikeRunc()
    {
        using var pty = ConsoleSetup.OpenPty(Libc.AT_FDCWD, "/dev/ptmx");
        var (a, b) = SocketPair();
        int received = -1;
        try
        {
            ConsoleSetup.SendMaster(a, pty.Master);
            received = ConsoleSetup.ReceiveMaster(b, out var message);
            Assert.Equal("/dev/ptmx", message);
            Assert.NotEqual(pty.Master, received);
            // The received fd is the same master: what the slave writes comes out of it.
            MakeRaw(pty.Slave);
            Write(pty.Slave, "hello");
            Assert.Equal("hello", ReadSome(received));
            uint n = 0;
            NativeException.Check(Libc.ProcessIoctl(received, Libc.TIOCGPTN, &n), "TIOCGPTN");
            Assert.Equal(pty.SlaveName, $"/dev/pts/{n}");
        }
        finally
        {
            Libc.close(a); Libc.close(b);
            if (received >= 0) Libc.close(received);
        }
    }

    [Fact]
    public void ConsoleMountTargetMustNotBeSymlinkOrDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("nrunc-console-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "dev"));
            File.CreateSymbolicLink(Path.Combine(dir, "dev", "console"), "/etc/passwd");
            using var pty = ConsoleSetup.OpenPty(Libc.AT_FDCWD, "/dev/ptmx");
            int root;
            fixed (byte* p = Utf8.Z(dir)) root = Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            // O_PATH|O_NOFOLLOW yields the link itself, which the type check refuses (no mount is attempted).
            var e = Assert.Throws<ContainerException>(() => ConsoleSetup.MountConsole(pty.Slave, root, closeRoot: true));
            Assert.Contains("not a regular file or character device", e.Message);
            File.Delete(Path.Combine(dir, "dev", "console"));
            Directory.CreateDirectory(Path.Combine(dir, "dev", "console"));
            fixed (byte* p = Utf8.Z(dir)) root = Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            var e2 = Assert.Throws<ContainerException>(() => ConsoleSetup.MountConsole(pty.Slave, root, closeRoot: true));
            Assert.Contains("not a regular file or character device", e2.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ControllingTerminalStepsAreRawOps()
    {
        var b = new NRunc.Native.Raw.RawProgramBuilder();
        ConsoleSetup.AppendControllingTerminalSteps(b, 7);
        using var prog = b.Build();
        var ops = PlanDump.Ops(prog);
        Assert.Equal(new[] { "setsid", "ioctl(setctty)", "dup3 console onto fd 0", "dup3 console onto fd 1", "dup3 console onto fd 2" }, ops.Select(o => o.What));
    }

    [Fact]
    public void TerminalProxyCopiesBothWaysAndEndsWhenSlaveCloses()
    {
        var pty = ConsoleSetup.OpenPty(Libc.AT_FDCWD, "/dev/ptmx");
        MakeRaw(pty.Slave);
        int* inPipe = stackalloc int[2];
        int* outPipe = stackalloc int[2];
        NativeException.Check(Libc.pipe2(inPipe, Libc.O_CLOEXEC), "pipe2");
        NativeException.Check(Libc.pipe2(outPipe, Libc.O_CLOEXEC), "pipe2");
        var proxy = new TerminalProxy(pty.Master, inPipe[0], outPipe[1]);
        try
        {
            proxy.Start();
            Write(inPipe[1], "typed");
            Assert.Equal("typed", ReadSome(pty.Slave));
            Write(pty.Slave, "printed");
            Assert.Equal("printed", ReadSome(outPipe[0]));
            Libc.close(pty.TakeSlave());
            Assert.True(proxy.WaitOutput(5000));
        }
        finally
        {
            proxy.Dispose();
            pty.Dispose();
            Libc.close(inPipe[0]); Libc.close(inPipe[1]); Libc.close(outPipe[0]); Libc.close(outPipe[1]);
        }
    }
}
