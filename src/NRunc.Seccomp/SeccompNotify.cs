using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using NRunc.Native;
using NRunc.Seccomp.Native;

namespace NRunc.Seccomp;

/// <summary>
/// Hands a container's seccomp notify fd to the agent at <c>linux.seccomp.listenerPath</c>: one connection to its
/// AF_UNIX stream socket, one OCI ContainerProcessState as the payload with the fd attached by SCM_RIGHTS (named
/// "seccompFd" in <c>fds</c>), then close, as runtime-spec config-linux.md and runc do.
/// </summary>
public static unsafe class SeccompNotify
{
    /// <summary>The name the spec gives the notify fd in ContainerProcessState.fds.</summary>
    public const string SeccompFdName = "seccompFd";

    /// <summary>
    /// Sends the ContainerProcessState built around <paramref name="stateJson"/> (the container's OCI state, whose
    /// <c>pid</c> and <c>ociVersion</c> are reused) and <paramref name="notifyFd"/> to the agent.
    /// </summary>
    public static void SendToListener(string listenerPath, string? listenerMetadata, int notifyFd, byte[] stateJson)
    {
        var (pid, version) = ReadState(stateJson);
        SendToListener(listenerPath, listenerMetadata, notifyFd, stateJson, pid, version);
    }

    /// <summary>As above, with the pid (as the runtime sees it) and ociVersion given explicitly.</summary>
    public static void SendToListener(string listenerPath, string? listenerMetadata, int notifyFd, byte[] stateJson, int pid, string ociVersion)
    {
        ArgumentNullException.ThrowIfNull(listenerPath);
        ArgumentNullException.ThrowIfNull(stateJson);
        var payload = BuildProcessState(listenerMetadata, stateJson, pid, ociVersion);
        int sock = Connect(listenerPath);
        try
        {
            Send(sock, payload, notifyFd, listenerPath);
        }
        finally
        {
            Libc.close(sock);
        }
    }

    /// <summary>The OCI ContainerProcessState JSON: ociVersion, fds, pid, metadata (omitted when empty, as runc), state.</summary>
    public static byte[] BuildProcessState(string? listenerMetadata, byte[] stateJson, int pid, string ociVersion)
    {
        var buf = new ArrayBufferWriter<byte>(stateJson.Length + 128);
        using (var w = new Utf8JsonWriter(buf))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", ociVersion);
            w.WriteStartArray("fds");
            w.WriteStringValue(SeccompFdName);
            w.WriteEndArray();
            w.WriteNumber("pid", pid);
            if (!string.IsNullOrEmpty(listenerMetadata)) w.WriteString("metadata", listenerMetadata);
            w.WritePropertyName("state");
            w.WriteRawValue(stateJson, skipInputValidation: false);
            w.WriteEndObject();
        }
        return buf.WrittenSpan.ToArray();
    }

    static (int Pid, string Version) ReadState(byte[] stateJson)
    {
        int pid = 0;
        string version = "1.3.0";
        try
        {
            var r = new Utf8JsonReader(stateJson);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new SeccompException("seccomp notify: the container state must be a JSON object");
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("pid")) { r.Read(); if (r.TokenType == JsonTokenType.Number) pid = r.GetInt32(); }
                else if (r.ValueTextEquals("ociVersion")) { r.Read(); if (r.TokenType == JsonTokenType.String) version = r.GetString()!; }
                else { r.Read(); r.Skip(); }
            }
        }
        catch (JsonException e)
        {
            throw new SeccompException($"seccomp notify: the container state is not valid JSON: {e.Message}");
        }
        return (pid, version);
    }

    static int Connect(string path)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(path);
        SeccompLibc.SockaddrUn addr = default;
        if (name.Length == 0 || name.Length >= 108)
            throw new NRunc.Spec.SpecException("config.json", "linux.seccomp.listenerPath", $"\"{path}\" must be 1 to 107 bytes long (a unix socket path)");
        addr.Family = SeccompLibc.AF_UNIX;
        name.AsSpan().CopyTo(new Span<byte>(addr.Path, 108));

        int sock = SeccompLibc.socket(SeccompLibc.AF_UNIX, SeccompLibc.SOCK_STREAM | SeccompLibc.SOCK_CLOEXEC, 0);
        NativeException.Check(sock, "socket", "seccomp agent");
        int rc;
        do rc = SeccompLibc.connect(sock, &addr, 2 + name.Length + 1);
        while (rc < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (rc < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.close(sock);
            throw new SeccompException($"seccomp: connecting to the seccomp agent at {path} (linux.seccomp.listenerPath): {Errno.Describe(errno)}", errno);
        }
        return sock;
    }

    static void Send(int sock, byte[] payload, int fd, string path)
    {
        fixed (byte* data = payload)
        {
            SeccompLibc.CmsgOneFd cmsg = default;
            cmsg.Len = (nuint)(sizeof(nuint) + 2 * sizeof(int) + sizeof(int));   // CMSG_LEN(sizeof(int))
            cmsg.Level = SeccompLibc.SOL_SOCKET;
            cmsg.Type = SeccompLibc.SCM_RIGHTS;
            cmsg.Fd = fd;
            int sent = 0;
            bool first = true;
            while (sent < payload.Length)
            {
                SeccompLibc.IoVec iov = new() { Base = data + sent, Len = (nuint)(payload.Length - sent) };
                SeccompLibc.MsgHdr msg = default;
                msg.Iov = &iov;
                msg.IovLen = 1;
                if (first)
                {
                    // The fd travels with the first sendmsg only (runtime-spec).
                    msg.Control = &cmsg;
                    msg.ControlLen = (nuint)sizeof(SeccompLibc.CmsgOneFd);
                }
                nint n = SeccompLibc.sendmsg(sock, &msg, SeccompLibc.MSG_NOSIGNAL);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    throw new SeccompException($"seccomp: sending the seccomp fd to {path}: {Errno.Describe(errno)}", errno);
                }
                sent += (int)n;
                first = false;
            }
        }
    }
}
