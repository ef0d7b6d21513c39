using System.Net.Sockets;
using NRunc.Native;
using NRunc.Shim.Events;
using NRunc.Shim.Processes;
using NRunc.Shim.Service;
using NRunc.Shim.Ttrpc;

namespace NRunc.Shim;

/// <summary>
/// The resident shim: child subreaper, stderr on containerd's `log` fifo in the bundle, ttrpc served on the
/// listener it inherited as fd 3 until Shutdown.
/// </summary>
public static unsafe class Daemon
{
    public static int Run(ShimFlags f)
    {
        NativeException.Check(Libc.ShimPrctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl PR_SET_CHILD_SUBREAPER");
        OpenLog();
        Log.Debug = f.Debug;
        var address = File.Exists("address") ? File.ReadAllText("address").Trim() : "";
        var listener = new Socket(new SafeSocketHandle(3, ownsHandle: true));
        var publisher = new Publisher(f.Namespace, Environment.GetEnvironmentVariable("TTRPC_ADDRESS") ?? "", f.PublishBinary, f.Address);
        var service = new TaskService(f.Namespace, publisher, SocketAddress.PathOf(address));
        var server = new Server(listener, service.Handlers());
        service.Server = server;
        MemoryTrim.FileMappings();
        server.Serve();
        return 0;
    }

    /// <summary>containerd reads the shim's log from the `log` fifo it created in the bundle.</summary>
    static void OpenLog()
    {
        try
        {
            int fd = Pipes.Open("log", Libc.O_WRONLY | Libc.O_NONBLOCK);
            Pipes.SetBlocking(fd);
            Libc.ProcessDup3(fd, 2, 0);
            Libc.close(fd);
        }
        catch (NativeException) { }
    }
}
