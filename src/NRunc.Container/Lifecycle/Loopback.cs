using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>A new network namespace starts with "lo" down; runc brings it up, and programs expect 127.0.0.1 to work.</summary>
internal static unsafe class Loopback
{
    const int AF_INET = 2, SOCK_DGRAM = 2;
    const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    const short IFF_UP = 1;

    public static void BringUp()
    {
        int fd = NativeException.Check(Libc.socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0), "socket", "AF_INET");
        try
        {
            // struct ifreq: 16-byte name, then a union whose first member here is short ifr_flags.
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(ifr, 16));
            NativeException.Check(Libc.IoctlPtr(fd, SIOCGIFFLAGS, ifr), "ioctl SIOCGIFFLAGS", "lo");
            *(short*)(ifr + 16) |= IFF_UP;
            NativeException.Check(Libc.IoctlPtr(fd, SIOCSIFFLAGS, ifr), "ioctl SIOCSIFFLAGS", "lo");
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
