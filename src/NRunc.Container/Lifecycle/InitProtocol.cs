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
    /// <summary>Spec mount index → fd of an id-mapped tree the parent prepared (container with a user namespace).</summary>
    public Dictionary<int, int>? PreparedMounts { get; set; }
    public string Owner { get; set; } = "";
}

/// <summary>What init tells the parent: "hooks" (run prestart/createRuntime now), "ready", or "error".</summary>
public sealed class InitMessage
{
    public string Type { get; set; } = "";
    public string? Message { get; set; }
}

/// <summary>One JSON message per SOCK_SEQPACKET datagram between the parent and init.</summary>
public static unsafe class InitChannel
{
    const int MaxMessage = 1 << 20;

    // A datagram cannot exceed the socket's send buffer (about 200 KiB): a longer message (a config.json with a big
    // seccomp profile or annotations) goes as a header datagram "\0" + decimal length, then chunks of this size.
    const int Chunk = 64 << 10;

    static void SendBytes(int fd, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= Chunk) { SendDatagram(fd, bytes); return; }
        SendDatagram(fd, System.Text.Encoding.ASCII.GetBytes("\0" + bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        for (int off = 0; off < bytes.Length; off += Chunk) SendDatagram(fd, bytes.Slice(off, Math.Min(Chunk, bytes.Length - off)));
    }

    static void SendDatagram(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* b = bytes)
        {
            nint n;
            do n = Libc.write(fd, b, bytes.Length); while (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (n < 0) throw new NativeException("write", "init socket", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Receives one datagram; null when the other side has gone (EOF).</summary>
    static byte[]? ReceiveBytes(int fd)
    {
        var buf = new byte[MaxMessage];
        int n = ReceiveDatagram(fd, buf);
        if (n == 0) return null;
        if (buf[0] != 0) return buf.AsSpan(0, n).ToArray();
        // a long message: "\0" + length, then its chunks
        if (!int.TryParse(buf.AsSpan(1, n - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int total) || total <= 0)
            throw new NativeException("read", "init socket: bad message header", 71 /* EPROTO */);
        var message = new byte[total];
        for (int off = 0; off < total;)
        {
            int got = ReceiveDatagram(fd, message.AsSpan(off));
            if (got == 0) return null;
            off += got;
        }
        return message;
    }

    static int ReceiveDatagram(int fd, Span<byte> into)
    {
        nint n;
        fixed (byte* b = into)
            do n = Libc.read(fd, b, into.Length); while (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (n < 0) throw new NativeException("read", "init socket", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        return (int)n;
    }

    // Hand-written JSON: JsonSerializer's first use costs milliseconds in a fresh AOT process, twice per create.
    public static void SendConfig(int fd, InitConfig c)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096 + c.ConfigJson.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id); w.WriteString("bundle", c.Bundle); w.WriteString("rootfs", c.RootfsPath);
            w.WriteString("configPath", c.ConfigPath); w.WriteString("config", c.ConfigJson);
            w.WriteNumber("hostPid", c.HostPid); w.WriteBoolean("noPivot", c.NoPivot); w.WriteBoolean("noNewKeyring", c.NoNewKeyring);
            w.WriteNumber("preserveFds", c.PreserveFds); w.WriteNumber("consoleSocketFd", c.ConsoleSocketFd); w.WriteNumber("fifoFd", c.FifoFd);
            w.WriteNumber("newNamespaces", c.NewNamespaces); w.WriteNumber("joinedNamespaces", c.JoinedNamespaces);
            w.WriteBoolean("setgroupsAllowed", c.SetgroupsAllowed); w.WriteBoolean("runtimeHooks", c.RuntimeHooks);
            w.WriteStartObject("cgroupPaths");
            foreach (var (k, v) in c.CgroupPaths) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartArray("extraEnv");
            foreach (var e in c.ExtraEnv ?? []) w.WriteStringValue(e);
            w.WriteEndArray();
            if (c.Created is { } created) w.WriteString("created", created);
            w.WriteString("owner", c.Owner);
            if (c.SeccompBpf is { } bpf) w.WriteString("seccompBpf", bpf);
            w.WriteNumber("seccompFlags", c.SeccompFlags); w.WriteBoolean("seccompNotify", c.SeccompNotify);
            if (c.PreparedMounts is { Count: > 0 } pm)
            {
                w.WriteStartObject("preparedMounts");
                foreach (var (index, mfd) in pm) w.WriteNumber(index.ToString(System.Globalization.CultureInfo.InvariantCulture), mfd);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        SendBytes(fd, buffer.WrittenSpan);
    }

    public static InitConfig? ReceiveConfig(int fd)
    {
        if (ReceiveBytes(fd) is not { } bytes) return null;
        var c = new InitConfig();
        var r = new Utf8JsonReader(bytes);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.GetString();
            r.Read();
            switch (name)
            {
                case "id": c.Id = r.GetString()!; break;
                case "bundle": c.Bundle = r.GetString()!; break;
                case "rootfs": c.RootfsPath = r.GetString()!; break;
                case "configPath": c.ConfigPath = r.GetString()!; break;
                case "config": c.ConfigJson = r.GetString()!; break;
                case "hostPid": c.HostPid = r.GetInt32(); break;
                case "noPivot": c.NoPivot = r.GetBoolean(); break;
                case "noNewKeyring": c.NoNewKeyring = r.GetBoolean(); break;
                case "preserveFds": c.PreserveFds = r.GetInt32(); break;
                case "consoleSocketFd": c.ConsoleSocketFd = r.GetInt32(); break;
                case "fifoFd": c.FifoFd = r.GetInt32(); break;
                case "newNamespaces": c.NewNamespaces = r.GetInt32(); break;
                case "joinedNamespaces": c.JoinedNamespaces = r.GetInt32(); break;
                case "setgroupsAllowed": c.SetgroupsAllowed = r.GetBoolean(); break;
                case "runtimeHooks": c.RuntimeHooks = r.GetBoolean(); break;
                case "cgroupPaths":
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName) { var k = r.GetString()!; r.Read(); c.CgroupPaths[k] = r.GetString()!; }
                    break;
                case "extraEnv":
                    c.ExtraEnv = [];
                    while (r.Read() && r.TokenType == JsonTokenType.String) c.ExtraEnv.Add(r.GetString()!);
                    break;
                case "created": c.Created = r.GetString(); break;
                case "owner": c.Owner = r.GetString()!; break;
                case "seccompBpf": c.SeccompBpf = r.GetString(); break;
                case "seccompFlags": c.SeccompFlags = r.GetUInt32(); break;
                case "seccompNotify": c.SeccompNotify = r.GetBoolean(); break;
                case "preparedMounts":
                    c.PreparedMounts = [];
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        int index = int.Parse(r.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        r.Read();
                        c.PreparedMounts[index] = r.GetInt32();
                    }
                    break;
                default: r.Skip(); break;
            }
        }
        return c;
    }

    public static void SendMessage(int fd, string type, string? message = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            if (message is not null) w.WriteString("message", message);
            w.WriteEndObject();
        }
        SendBytes(fd, buffer.WrittenSpan);
    }

    public static InitMessage? ReceiveMessage(int fd)
    {
        if (ReceiveBytes(fd) is not { } bytes) return null;
        var m = new InitMessage();
        var r = new Utf8JsonReader(bytes);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.GetString();
            r.Read();
            if (name == "type") m.Type = r.GetString()!;
            else if (name == "message") m.Message = r.GetString();
            else r.Skip();
        }
        return m;
    }
}
