using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>32-bit values exchanged with a raw child on a sync socket (see RawOpCode.SyncSend/SyncWait/ForkReportExit).</summary>
internal static unsafe class SyncSocket
{
    /// <summary>Reads one value; null on EOF (the child exited, usually after reporting a failure on its error pipe).</summary>
    public static int? ReadInt(int fd)
    {
        int v = 0;
        nint n;
        do n = Libc.read(fd, (byte*)&v, 4); while (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        return n == 4 ? v : null;
    }

    public static void WriteInt(int fd, int v)
    {
        if (Libc.write(fd, (byte*)&v, 4) != 4) throw new NativeException("write", "sync socket", Marshal.GetLastPInvokeError());
    }
}
