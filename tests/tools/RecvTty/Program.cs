// recvtty: listens on a unix socket for a runtime's --console-socket, receives the pty master
// (one fd by SCM_RIGHTS, the message is the pty name) and then:
//   --mode copy (default): copies the pty to stdout until the slave side closes; stdin goes to the pty
//                          unless --no-stdin; with --input TEXT, writes TEXT to the pty once instead.
//   --mode name          : prints the received name (the pty path) on one line, then discards output.
//   --mode null          : discards output until the slave side closes.
// --pid-file F writes our pid once the socket is listening (tests wait for it).
using System.Runtime.InteropServices;
using System.Text;

namespace NRunc.Tools.RecvTty;

internal static unsafe partial class Program
{
    private const int AF_UNIX = 1, SOCK_STREAM = 1, SOL_SOCKET = 1, SCM_RIGHTS = 1, EINTR = 4, EIO = 5;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec { public void* Base; public nuint Len; }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen;
        public void* Control; public nuint ControlLen; public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr { public nuint Len; public int Level; public int Type; }

    [LibraryImport("libc", SetLastError = true)] private static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] private static partial int bind(int fd, byte* addr, uint len);
    [LibraryImport("libc", SetLastError = true)] private static partial int listen(int fd, int backlog);
    [LibraryImport("libc", SetLastError = true)] private static partial int accept(int fd, void* addr, void* len);
    [LibraryImport("libc", SetLastError = true)] private static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint read(int fd, byte* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial nint write(int fd, byte* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int unlink(byte* path);

    private static int Main(string[] args)
    {
        string mode = "copy", socketPath = "", pidFile = "";
        string? input = null;
        bool useStdin = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--mode" or "-m": mode = args[++i]; break;
                case "--no-stdin": useStdin = false; break;
                case "--input": input = args[++i]; useStdin = false; break;
                case "--pid-file": pidFile = args[++i]; break;
                case "-h" or "--help":
                    Console.WriteLine("usage: recvtty [--mode copy|name|null] [--no-stdin] [--input TEXT] [--pid-file F] SOCKET");
                    return 0;
                default: socketPath = args[i]; break;
            }
        }
        if (socketPath.Length == 0 || mode is not ("copy" or "name" or "null"))
        {
            Console.Error.WriteLine("recvtty: usage: recvtty [--mode copy|name|null] [--no-stdin] [--input TEXT] [--pid-file F] SOCKET");
            return 2;
        }

        int listener = Listen(socketPath);
        if (listener < 0) return 1;
        if (pidFile.Length > 0) File.WriteAllText(pidFile, Environment.ProcessId.ToString());

        int conn;
        do { conn = accept(listener, null, null); } while (conn < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (conn < 0) return Fail("accept");

        var (master, name) = ReceiveFd(conn);
        close(conn);
        close(listener);
        DeletePath(socketPath);
        if (master < 0) return 1;

        if (mode == "name")
        {
            Console.Out.Write(name + "\n");
            Console.Out.Flush();
        }
        if (mode == "copy")
        {
            if (input != null) WriteAll(master, Encoding.UTF8.GetBytes(input));
            else if (useStdin) new Thread(() => CopyFd(0, master, stopOnEof: true)) { IsBackground = true }.Start();
            CopyFd(master, 1, stopOnEof: true);
        }
        else
        {
            CopyFd(master, -1, stopOnEof: true);
        }
        return 0;
    }

    private static int Listen(string path)
    {
        DeletePath(path);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) return Fail("socket");
        byte[] p = Encoding.UTF8.GetBytes(path);
        if (p.Length >= 108) { Console.Error.WriteLine($"recvtty: socket path too long: {path}"); return -1; }
        byte* addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = AF_UNIX;
        p.CopyTo(new Span<byte>(addr + 2, 108));
        if (bind(fd, addr, (uint)(2 + p.Length + 1)) < 0) return Fail("bind " + path);
        if (listen(fd, 1) < 0) return Fail("listen");
        return fd;
    }

    private static (int fd, string name) ReceiveFd(int conn)
    {
        byte* buf = stackalloc byte[4096];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        IoVec iov = new() { Base = buf, Len = 4096 };
        MsgHdr msg = new() { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n;
        do { n = recvmsg(conn, &msg, 0); } while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (n < 0) return (Fail("recvmsg"), "");
        var cmsg = (CmsgHdr*)control;
        if (msg.ControlLen < (nuint)sizeof(CmsgHdr) || cmsg->Level != SOL_SOCKET || cmsg->Type != SCM_RIGHTS)
        {
            Console.Error.WriteLine("recvtty: no SCM_RIGHTS fd in the message");
            return (-1, "");
        }
        int fd = *(int*)(control + sizeof(CmsgHdr));
        string name = Encoding.UTF8.GetString(buf, (int)n).TrimEnd('\0');
        return (fd, name);
    }

    private static void CopyFd(int from, int to, bool stopOnEof)
    {
        byte* buf = stackalloc byte[8192];
        while (true)
        {
            nint n = read(from, buf, 8192);
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
            if (n <= 0) return; // EOF, or EIO once the pty slave is closed
            if (to >= 0) WriteAll(to, new ReadOnlySpan<byte>(buf, (int)n));
        }
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                nint w = write(fd, p + off, (nuint)(data.Length - off));
                if (w < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                if (w <= 0) return;
                off += (int)w;
            }
        }
    }

    private static void DeletePath(string path)
    {
        byte[] p = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pp = p) unlink(pp);
    }

    private static int Fail(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine($"recvtty: {what}: {Marshal.GetPInvokeErrorMessage(errno)}");
        return -1;
    }
}
