using System.Text;

namespace NRunc.Shim;

/// <summary>The shim's log: stderr, which the daemon points at containerd's `log` fifo in the bundle. Text lines
/// in logrus's text shape so they read like the runc shim's in containerd's log.</summary>
public static unsafe class Log
{
    public static bool Debug;

    public static void Write(string msg) => Emit("warning", msg);

    public static void Trace(string msg) { if (Debug) Emit("debug", msg); }

    static void Emit(string level, string msg)
    {
        var line = Encoding.UTF8.GetBytes($"time=\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}\" level={level} msg=\"{msg.Replace("\"", "\\\"")}\" runtime=io.containerd.nrunc.v2\n");
        fixed (byte* p = line) NRunc.Native.Libc.write(2, p, line.Length);
    }
}
