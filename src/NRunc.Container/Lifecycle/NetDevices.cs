using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// linux.netDevices (config-linux.md): each host device is moved into the container's network namespace with one
/// RTM_NEWLINK (IFLA_NET_NS_FD, renamed with IFLA_IFNAME; the kernel refuses a taken name unless it holds "%d"), its
/// permanent global addresses are re-added there (moving drops them), and it is set up. Nothing is moved back on
/// delete: the spec leaves that to the namespace's end.
/// </summary>
internal static unsafe class NetDevices
{
    const int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
    const ushort RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_GETADDR = 22, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    const ushort NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_DUMP = 0x300, NLM_F_CREATE = 0x400, NLM_F_EXCL = 0x200;
    const ushort IFLA_IFNAME = 3, IFLA_NET_NS_FD = 28, IFA_FLAGS = 8;
    const uint IFA_F_PERMANENT = 0x80, IFF_UP = 1;

    sealed record Address(byte[] IfaMsg, List<(ushort Type, byte[] Data)> Attrs);

    /// <summary>Before anything is made: every named host device exists.</summary>
    public static void CheckHostDevices(Dictionary<string, NRunc.Spec.LinuxNetDevice>? devices)
    {
        foreach (var hostName in devices?.Keys ?? Enumerable.Empty<string>())
        {
            uint index;
            fixed (byte* n = Utf8.Z(hostName)) index = Libc.IfNameToIndex(n);
            if (index == 0) throw new ContainerException($"config.json: linux.netDevices[\"{hostName}\"]: no network device \"{hostName}\" on the host");
        }
    }

    public static void Move(Dictionary<string, NRunc.Spec.LinuxNetDevice>? devices, int initPid)
    {
        if (devices is not { Count: > 0 }) return;
        int host = OpenSocket();
        int nsFd;
        fixed (byte* p = Utf8.Z($"/proc/{initPid}/ns/net")) nsFd = NativeException.Check(Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC_FLAG, 0), "open", "container network namespace");
        try
        {
            var moved = new List<(int Index, string Name, List<Address> Addrs)>();
            foreach (var (hostName, dev) in devices)
            {
                string where = $"linux.netDevices[\"{hostName}\"]";
                uint index;
                fixed (byte* n = Utf8.Z(hostName)) index = Libc.IfNameToIndex(n);
                if (index == 0) throw new ContainerException($"config.json: {where}: no network device \"{hostName}\" on the host");
                var addrs = PermanentGlobalAddresses(host, (int)index);
                var name = string.IsNullOrEmpty(dev.Name) ? hostName : dev.Name;
                var msg = new Msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
                msg.IfInfo((int)index, 0, 0);
                msg.Attr(IFLA_NET_NS_FD, BitConverter.GetBytes(nsFd));
                msg.Attr(IFLA_IFNAME, Utf8.Z(name));
                int err = Transact(host, msg);
                if (err != 0) throw new ContainerException($"create: {where}: moving \"{hostName}\" into the container as \"{name}\": {Errno.Describe(err)}");
                moved.Add(((int)index, name, addrs));
            }
            int inside = OpenSocketIn(nsFd);
            try
            {
                foreach (var (index, name, addrs) in moved)
                {
                    // The kernel keeps the ifindex when it is free in the target namespace; otherwise look the name up.
                    int idx = LinkExists(inside, index) ? index : IndexByName(inside, name);
                    foreach (var a in addrs)
                    {
                        var m = new Msg(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
                        var ifa = (byte[])a.IfaMsg.Clone();
                        BinaryPrimitives.WriteInt32LittleEndian(ifa.AsSpan(4), idx);
                        m.Raw(ifa);
                        foreach (var (t, d) in a.Attrs) m.Attr(t, d);
                        int e = Transact(inside, m);
                        if (e != 0 && e != Errno.EEXIST) throw new ContainerException($"create: linux.netDevices: restoring an address of \"{name}\": {Errno.Describe(e)}");
                    }
                    var up = new Msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
                    up.IfInfo(idx, IFF_UP, IFF_UP);
                    int ue = Transact(inside, up);
                    if (ue != 0) throw new ContainerException($"create: linux.netDevices: setting \"{name}\" up: {Errno.Describe(ue)}");
                }
            }
            finally { Libc.close(inside); }
        }
        finally
        {
            Libc.close(nsFd);
            Libc.close(host);
        }
    }

    static int OpenSocket() => NativeException.Check(Libc.socket(AF_NETLINK, SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE), "socket", "netlink");

    /// <summary>A netlink socket belongs to the namespace it was made in: make it on a thread that joined the container's (setns of a network namespace is per thread).</summary>
    static int OpenSocketIn(int nsFd)
    {
        int fd = -1, err = 0;
        var t = new Thread(() =>
        {
            if (Libc.syscall(308 /* setns */, nsFd, NamespacePlan.CLONE_NEWNET, 0, 0, 0, 0) < 0) { err = Marshal.GetLastPInvokeError(); return; }
            fd = Libc.socket(AF_NETLINK, SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE);
            if (fd < 0) err = Marshal.GetLastPInvokeError();
        });
        t.Start();
        t.Join();
        if (fd < 0) throw new NativeException("netlink socket in", "the container's network namespace", err);
        return fd;
    }

    static List<Address> PermanentGlobalAddresses(int sock, int index)
    {
        var result = new List<Address>();
        var m = new Msg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
        m.Raw(new byte[8]); // ifaddrmsg, family AF_UNSPEC
        SendMsg(sock, m);
        var buf = new byte[65536];
        while (true)
        {
            int n = ReceiveInto(sock, buf);
            for (int off = 0; off + 16 <= n;)
            {
                int len = BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(off));
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + 4));
                if (len < 16) return result;
                if (type == NLMSG_DONE || type == NLMSG_ERROR) return result;
                var ifa = buf.AsSpan(off + 16, 8).ToArray();
                int idx = BinaryPrimitives.ReadInt32LittleEndian(ifa.AsSpan(4));
                uint flags = ifa[2];
                byte scope = ifa[3];
                var attrs = new List<(ushort, byte[])>();
                for (int a = off + 24; a + 4 <= off + len;)
                {
                    ushort alen = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(a));
                    ushort atype = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(a + 2));
                    if (alen < 4) break;
                    var data = buf.AsSpan(a + 4, alen - 4).ToArray();
                    if (atype == IFA_FLAGS && data.Length >= 4) flags = BinaryPrimitives.ReadUInt32LittleEndian(data);
                    if (atype is 1 or 2 or 4 or 8) attrs.Add((atype, data)); // IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST, IFA_FLAGS
                    a += (alen + 3) & ~3;
                }
                if (idx == index && scope == 0 && (flags & IFA_F_PERMANENT) != 0) result.Add(new Address(ifa, attrs));
                off += (len + 3) & ~3;
            }
        }
    }

    static bool LinkExists(int sock, int index)
    {
        var m = new Msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
        m.IfInfo(index, 0, 0);
        return Transact(sock, m) == 0;
    }

    static int IndexByName(int sock, string name)
    {
        var m = new Msg(RTM_GETLINK, NLM_F_REQUEST);
        m.IfInfo(0, 0, 0);
        m.Attr(IFLA_IFNAME, Utf8.Z(name));
        SendMsg(sock, m);
        var buf = new byte[65536];
        int n = ReceiveInto(sock, buf);
        if (n >= 32 && BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(4)) == RTM_NEWLINK)
            return BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(16 + 4));
        throw new ContainerException($"create: linux.netDevices: \"{name}\" not found in the container after the move");
    }

    /// <summary>Sends a request with NLM_F_ACK and returns the kernel's errno (0 on success); non-ack replies before the ack are skipped.</summary>
    static int Transact(int sock, Msg m)
    {
        SendMsg(sock, m);
        var buf = new byte[65536];
        while (true)
        {
            int n = ReceiveInto(sock, buf);
            for (int off = 0; off + 16 <= n;)
            {
                int len = BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(off));
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + 4));
                if (type == NLMSG_ERROR) return -BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(off + 16));
                if (len < 16) return Errno.EIO;
                off += (len + 3) & ~3;
            }
        }
    }

    static void SendMsg(int sock, Msg m)
    {
        var bytes = m.Finish();
        fixed (byte* b = bytes)
            if (Libc.SendBytes(sock, b, bytes.Length, 0) < 0) throw new NativeException("send", "netlink", Marshal.GetLastPInvokeError());
    }

    static int ReceiveInto(int sock, byte[] buf)
    {
        nint n;
        fixed (byte* b = buf)
            do n = Libc.RecvBytes(sock, b, buf.Length, 0); while (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (n < 0) throw new NativeException("recv", "netlink", Marshal.GetLastPInvokeError());
        return (int)n;
    }

    /// <summary>A netlink request: header, fixed part, attributes (4-byte aligned).</summary>
    sealed class Msg(ushort type, ushort flags)
    {
        readonly MemoryStream _body = new();

        public void Raw(byte[] b) => _body.Write(b);

        public void IfInfo(int index, uint ifFlags, uint change)
        {
            var b = new byte[16];
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), index);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), ifFlags);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), change);
            _body.Write(b);
        }

        public void Attr(ushort attrType, byte[] data)
        {
            var h = new byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)(4 + data.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), attrType);
            _body.Write(h);
            _body.Write(data);
            for (int pad = (4 - data.Length % 4) % 4; pad > 0; pad--) _body.WriteByte(0);
        }

        public byte[] Finish()
        {
            var body = _body.ToArray();
            var msg = new byte[16 + body.Length];
            BinaryPrimitives.WriteInt32LittleEndian(msg, msg.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(4), type);
            BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(6), flags);
            BinaryPrimitives.WriteInt32LittleEndian(msg.AsSpan(8), 1);
            body.CopyTo(msg, 16);
            return msg;
        }
    }
}
