using System.Net.Sockets;
using Google.Protobuf;
using NRunc.Shim.Protos;

namespace NRunc.Shim.Ttrpc;

/// <summary>A minimal one-call-at-a-time ttrpc client (the shim's event forwarding to containerd).</summary>
public sealed class Client(string socketPath) : IDisposable
{
    Socket? socket;
    NetworkStream? stream;
    uint nextStream = 1;

    /// <summary>Calls service/method and returns the response payload; throws <see cref="RpcException"/> on a non-OK
    /// status and IOException/SocketException when the connection fails (the caller may retry on a new client).</summary>
    public ByteString Call(string service, string method, IMessage request, TimeSpan timeout)
    {
        if (stream == null)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        socket!.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        uint id = nextStream;
        nextStream += 2;
        var req = new Request { Service = service, Method = method, Payload = request.ToByteString(), TimeoutNano = (long)(timeout.Ticks * 100) };
        stream.Write(Frame.Encode(id, Frame.TypeRequest, req.ToByteArray()));
        while (true)
        {
            var f = Frame.Read(stream) ?? throw new IOException("ttrpc: connection closed by " + socketPath);
            if (f.Header.StreamId != id || f.Header.Type != Frame.TypeResponse || f.Body == null) continue;
            var resp = Response.Parser.ParseFrom(f.Body);
            if (resp.Status != null && resp.Status.Code != 0) throw new RpcException((Code)resp.Status.Code, resp.Status.Message);
            return resp.Payload;
        }
    }

    public void Dispose()
    {
        stream?.Dispose();
        stream = null;
        socket = null;
    }
}
