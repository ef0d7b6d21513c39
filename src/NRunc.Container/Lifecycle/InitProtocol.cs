using System.Text.Json;
using System.Text.Json.Serialization;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>What the parent tells init (one message on the init socket).</summary>
public sealed class InitConfig
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string RootfsPath { get; set; } = "";
    public string ConfigPath { get; set; } = "";
    /// <summary>config.json itself: init may not be able to read the state dir (a mapped root in a user namespace).</summary>
    public string ConfigJson { get; set; } = "";
    public int HostPid { get; set; }
    public bool NoPivot { get; set; }
    public bool NoNewKeyring { get; set; }
    public int PreserveFds { get; set; }
    public int ConsoleSocketFd { get; set; } = -1;
    public int FifoFd { get; set; } = -1;
    public int NewNamespaces { get; set; }
    public int JoinedNamespaces { get; set; }
    public bool SetgroupsAllowed { get; set; } = true;
    public bool RuntimeHooks { get; set; }
    public Dictionary<string, string> CgroupPaths { get; set; } = new();
    public List<string>? ExtraEnv { get; set; }
    public string? Created { get; set; }
    /// <summary>The compiled seccomp filter (base64 BPF), prepared by the parent with the filter cache.</summary>
    public string? SeccompBpf { get; set; }
    public uint SeccompFlags { get; set; }
    public bool SeccompNotify { get; set; }
    public string Owner { get; set; } = "";
}

/// <summary>What init tells the parent: "hooks" (run prestart/createRuntime now), "ready", or "error".</summary>
public sealed class InitMessage
{
    public string Type { get; set; } = "";
    public string? Message { get; set; }
}

[JsonSerializable(typeof(InitConfig))]
[JsonSerializable(typeof(InitMessage))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class InitJsonContext : JsonSerializerContext;

/// <summary>One JSON message per SOCK_SEQPACKET datagram between the parent and init.</summary>
public static unsafe class InitChannel
{
    const int MaxMessage = 1 << 20;

    public static void Send<T>(int fd, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, info);
        fixed (byte* b = bytes)
        {
            nint n;
            do n = Libc.write(fd, b, bytes.Length); while (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (n < 0) throw new NativeException("write", "init socket", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Receives one message; null when the other side has gone (EOF).</summary>
    public static T? Receive<T>(int fd, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) where T : class
    {
        var buf = new byte[MaxMessage];
        nint n;
        fixed (byte* b = buf)
            do n = Libc.read(fd, b, buf.Length); while (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (n < 0) throw new NativeException("read", "init socket", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        if (n == 0) return null;
        return JsonSerializer.Deserialize(buf.AsSpan(0, (int)n), info);
    }

    public static void SendConfig(int fd, InitConfig c) => Send(fd, c, InitJsonContext.Default.InitConfig);
    public static InitConfig? ReceiveConfig(int fd) => Receive(fd, InitJsonContext.Default.InitConfig);
    public static void SendMessage(int fd, string type, string? message = null) => Send(fd, new InitMessage { Type = type, Message = message }, InitJsonContext.Default.InitMessage);
    public static InitMessage? ReceiveMessage(int fd) => Receive(fd, InitJsonContext.Default.InitMessage);
}
