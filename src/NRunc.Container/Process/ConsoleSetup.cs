using System.Runtime.InteropServices;
using NRunc.Native;
using NRunc.Native.Raw;

namespace NRunc.Container.Process;

/// <summary>A pty pair opened by <see cref="ConsoleSetup.OpenPty(int, string)"/>: the master, the slave (opened through TIOCGPTPEER) and the slave's name.</summary>
public sealed class PtyPair(int master, int slave, string slaveName) : IDisposable
{
    public int Master { get; private set; } = master;
    public int Slave { get; private set; } = slave;
    /// <summary>"/dev/pts/N" as the container sees it.</summary>
    public string SlaveName { get; } = slaveName;

    /// <summary>Hands the master over (the caller now closes it).</summary>
    public int TakeMaster() { int m = Master; Master = -1; return m; }
    public int TakeSlave() { int s = Slave; Slave = -1; return s; }

    public void Dispose()
    {
        if (Master >= 0) { Libc.close(Master); Master = -1; }
        if (Slave >= 0) { Libc.close(Slave); Slave = -1; }
    }
}

/// <summary>
/// process.terminal: a pty from the container's devpts, its slave bind-mounted on /dev/console and made the controlling
/// terminal and stdio of the process, its master sent to the caller over the console socket (runc's protocol: one
/// SCM_RIGHTS message whose payload is the master's name, "/dev/ptmx").
/// </summary>
public static unsafe class ConsoleSetup
{
    /// <summary>What runc 1.1 sends with the master fd (the name of the file it opened).</summary>
    public const string SocketMessage = "/dev/ptmx";

    const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;
    const uint PtmxMajor = 5, PtmxMinor = 2, PtySlaveMajorFirst = 136, PtySlaveMajorLast = 143;

    [StructLayout(LayoutKind.Sequential)]
    struct IoVec { public void* Base; public nint Len; }

    [StructLayout(LayoutKind.Sequential)]
    struct MsgHdr
    {
        public void* Name; public int NameLen; public int Pad0;
        public IoVec* Iov; public nint IovLen;
        public void* Control; public nint ControlLen;
        public int Flags; public int Pad1;
    }

    /// <summary>
    /// init's whole console sequence (runc's setupConsole), after pivot_root: open the container's pty, apply
    /// <paramref name="size"/>, bind the slave on /dev/console, send the master over <paramref name="consoleSocket"/>,
    /// then make the slave the controlling terminal and stdio 0, 1, 2. Closes both pty fds and the socket.
    /// </summary>
    public static void SetupInit(int consoleSocket, NRunc.Spec.Box? size)
    {
        try
        {
            using var pty = OpenPty(Libc.AT_FDCWD, "/dev/ptmx");
            if (size is { Height: > 0, Width: > 0 }) Resize(pty.Master, (ushort)size.Height, (ushort)size.Width);
            MountConsole(pty.Slave, OpenRootDir(), closeRoot: true);
            SendMaster(consoleSocket, pty.Master);
            BecomeControllingTerminal(pty.Slave);
        }
        finally
        {
            Libc.close(consoleSocket);
        }
    }

    static int OpenRootDir()
    {
        fixed (byte* p = "/\0"u8)
            return NativeException.Check(Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", "/");
    }

    /// <summary>
    /// Opens <paramref name="ptmxPath"/> (resolved inside <paramref name="rootFd"/> with RESOLVE_IN_ROOT when it is a
    /// directory fd; as is with AT_FDCWD), checks that it is the ptmx character device (5:2), unlocks it and opens the
    /// slave with TIOCGPTPEER (no path lookup, so no race), checking that the slave is a pty on a devpts file system.
    /// </summary>
    public static PtyPair OpenPty(int rootFd, string ptmxPath)
    {
        int master;
        fixed (byte* p = Utf8.Z(rootFd == Libc.AT_FDCWD ? ptmxPath : ptmxPath.TrimStart('/')))
        {
            if (rootFd == Libc.AT_FDCWD)
                master = Libc.open(p, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
            else
            {
                var how = new Libc.OpenHow { flags = (ulong)(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC), resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS };
                master = Libc.openat2(rootFd, p, &how);
            }
        }
        if (master < 0) throw new NativeException("open", ptmxPath, Marshal.GetLastPInvokeError());
        int slave = -1;
        try
        {
            var st = Fstat(master, ptmxPath);
            if ((st.stx_mode & Libc.S_IFMT) != Libc.S_IFCHR || st.stx_rdev_major != PtmxMajor || st.stx_rdev_minor != PtmxMinor)
                throw new ContainerException($"{ptmxPath} is not the ptmx device (got {st.stx_rdev_major}:{st.stx_rdev_minor})");
            int unlock = 0;
            NativeException.Check(Libc.ProcessIoctl(master, Libc.TIOCSPTLCK, &unlock), "ioctl(TIOCSPTLCK)", ptmxPath);
            uint n = 0;
            NativeException.Check(Libc.ProcessIoctl(master, Libc.TIOCGPTN, &n), "ioctl(TIOCGPTN)", ptmxPath);
            string name = $"/dev/pts/{n}";
            slave = NativeException.Check(Libc.ProcessIoctlInt(master, Libc.TIOCGPTPEER, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC), "ioctl(TIOCGPTPEER)", ptmxPath);
            var ss = Fstat(slave, name);
            Libc.MountStatfs sfs;
            NativeException.Check(Libc.fstatfs(slave, &sfs), "fstatfs", name);
            if (sfs.f_type != Libc.DEVPTS_SUPER_MAGIC || (ss.stx_mode & Libc.S_IFMT) != Libc.S_IFCHR ||
                ss.stx_rdev_major < PtySlaveMajorFirst || ss.stx_rdev_major > PtySlaveMajorLast)
                throw new ContainerException($"pty slave {name} is not a devpts pty");
            return new PtyPair(master, slave, name);
        }
        catch
        {
            if (slave >= 0) Libc.close(slave);
            Libc.close(master);
            throw;
        }
    }

    static Libc.Statx Fstat(int fd, string what)
    {
        Libc.Statx st;
        fixed (byte* empty = "\0"u8)
            NativeException.Check(Libc.statx(fd, empty, Libc.AT_EMPTY_PATH, Libc.STATX_TYPE | Libc.STATX_MODE, &st), "statx", what);
        return st;
    }

    /// <summary>TIOCSWINSZ (process.consoleSize).</summary>
    public static void Resize(int fd, ushort rows, ushort cols)
    {
        var ws = new Libc.ProcessWinsize { ws_row = rows, ws_col = cols };
        NativeException.Check(Libc.ProcessIoctl(fd, Libc.TIOCSWINSZ, &ws), "ioctl(TIOCSWINSZ)");
    }

    /// <summary>
    /// Bind-mounts the pty slave on dev/console under <paramref name="rootFd"/> (CVE-2025-52565: the target is resolved
    /// inside the root without following symlinks and must be a regular file or character device; the source is the
    /// slave fd itself, so neither path can be swapped). A missing dev/console is created as an empty file.
    /// </summary>
    public static void MountConsole(int slaveFd, int rootFd, bool closeRoot = false)
    {
        int target = -1, tree = -1;
        try
        {
            fixed (byte* p = "dev/console\0"u8)
            {
                var how = new Libc.OpenHow { flags = (ulong)(Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC), resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS };
                target = Libc.openat2(rootFd, p, &how);
                if (target < 0 && Marshal.GetLastPInvokeError() == Errno.ENOENT)
                {
                    var create = new Libc.OpenHow { flags = (ulong)(Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC), mode = 0x1b6 /* 0666 */, resolve = how.resolve };
                    int f = Libc.openat2(rootFd, p, &create);
                    if (f < 0) throw new NativeException("create", "/dev/console", Marshal.GetLastPInvokeError());
                    Libc.close(f);
                    target = Libc.openat2(rootFd, p, &how);
                }
                if (target < 0) throw new NativeException("open", "/dev/console", Marshal.GetLastPInvokeError());
            }
            var st = Fstat(target, "/dev/console");
            uint type = st.stx_mode & Libc.S_IFMT;
            if (type != Libc.S_IFREG && type != Libc.S_IFCHR)
                throw new ContainerException("/dev/console is not a regular file or character device: refusing to mount the console on it");
            fixed (byte* empty = "\0"u8)
            {
                tree = Libc.open_tree(slaveFd, empty, Libc.OPEN_TREE_CLONE | Libc.OPEN_TREE_CLOEXEC | (uint)Libc.AT_EMPTY_PATH);
                if (tree < 0) throw new NativeException("open_tree", "pty slave", Marshal.GetLastPInvokeError());
                NativeException.Check(Libc.move_mount(tree, empty, target, empty, Libc.MOVE_MOUNT_F_EMPTY_PATH | Libc.MOVE_MOUNT_T_EMPTY_PATH),
                    "mount console", "/dev/console");
            }
        }
        finally
        {
            if (tree >= 0) Libc.close(tree);
            if (target >= 0) Libc.close(target);
            if (closeRoot && rootFd >= 0) Libc.close(rootFd);
        }
    }

    /// <summary>Sends <paramref name="fd"/> over the connected AF_UNIX <paramref name="socket"/> in one SCM_RIGHTS message with <paramref name="message"/> as payload.</summary>
    public static void SendMaster(int socket, int fd, string message = SocketMessage)
    {
        var payload = System.Text.Encoding.UTF8.GetBytes(message);
        byte* control = stackalloc byte[24];
        new Span<byte>(control, 24).Clear();
        *(nint*)control = 20;              // cmsg_len = CMSG_LEN(sizeof(int))
        *(int*)(control + 8) = SOL_SOCKET;
        *(int*)(control + 12) = SCM_RIGHTS;
        *(int*)(control + 16) = fd;
        fixed (byte* data = payload)
        {
            var iov = new IoVec { Base = data, Len = payload.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 };
            nint n;
            do n = Libc.sendmsg(socket, &msg, 0); while (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (n < 0) throw new NativeException("sendmsg", "console socket", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Receives one fd sent by <see cref="SendMaster"/> (close-on-exec) and the message that came with it.</summary>
    public static int ReceiveMaster(int socket, out string message)
    {
        byte* buf = stackalloc byte[4096];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        var iov = new IoVec { Base = buf, Len = 4096 };
        var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n;
        do n = Libc.recvmsg(socket, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (n < 0) throw new NativeException("recvmsg", "console socket", Marshal.GetLastPInvokeError());
        message = System.Text.Encoding.UTF8.GetString(buf, (int)n);
        if (msg.ControlLen >= 20 && *(int*)(control + 8) == SOL_SOCKET && *(int*)(control + 12) == SCM_RIGHTS)
            return *(int*)(control + 16);
        throw new ContainerException("console socket: no file descriptor received");
    }

    /// <summary>Managed form of <see cref="AppendControllingTerminalSteps"/> (process-wide calls, fine from any thread of init).</summary>
    public static void BecomeControllingTerminal(int slaveFd)
    {
        if (Libc.ProcessSetsid() < 0 && Marshal.GetLastPInvokeError() != Errno.EPERM)
            throw new NativeException("setsid", null, Marshal.GetLastPInvokeError());
        NativeException.Check(Libc.ProcessIoctlInt(slaveFd, Libc.TIOCSCTTY, 0), "ioctl(setctty)");
        for (int i = 0; i < 3; i++)
        {
            if (slaveFd == i) NativeException.Check(Libc.fcntl_int(i, Libc.F_SETFD, 0), "fcntl", "console");
            else NativeException.Check(Libc.ProcessDup3(slaveFd, i, 0), "dup3", "console");
        }
    }

    /// <summary>Raw steps that make <paramref name="slaveFd"/> the controlling terminal and stdio: setsid, TIOCSCTTY, dup3 onto 0, 1, 2.</summary>
    public static void AppendControllingTerminalSteps(RawProgramBuilder b, int slaveFd)
    {
        b.Add(RawOpCode.Setsid, "setsid");
        b.Add(RawOpCode.Ioctl, "ioctl(setctty)", slaveFd, (long)Libc.TIOCSCTTY, 0);
        for (int i = 0; i < 3; i++) b.Add(RawOpCode.Dup3, $"dup3 console onto fd {i}", slaveFd, i, 0);
    }
}
