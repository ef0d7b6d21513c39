using System.Net.Sockets;
using Google.Protobuf;
using NRunc.Shim.Protos;
using RpcStatus = NRunc.Shim.Protos.Rpc.Status;

namespace NRunc.Shim.Ttrpc;

/// <summary>A method handler: the request payload and a token that fires at the request's deadline.</summary>
public delegate IMessage Handler(ByteString payload, CancellationToken deadline);

/// <summary>
/// A ttrpc server over a listening unix socket. Each connection has one reader thread; every request runs on the
/// thread pool, so a blocking Wait does not hold up other calls and answers go out in completion order. Writes to
/// a connection are serialised. Unknown methods answer UNIMPLEMENTED.
/// </summary>
public sealed class Server(Socket listener, IReadOnlyDictionary<string, Handler> handlers)
{
    /// <summary>Set by a handler to stop the process once its answer is written (Shutdown).</summary>
    public volatile bool ExitAfterReply;

    public void Serve()
    {
        while (true)
        {
            Socket conn;
            try { conn = listener.Accept(); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.Interrupted) { continue; }
            var t = new Thread(() => ServeConnection(conn)) { IsBackground = true, Name = "ttrpc-conn" };
            t.Start();
        }
    }

    void ServeConnection(Socket conn)
    {
        using var stream = new NetworkStream(conn, ownsSocket: true);
        var writeLock = new object();
        try
        {
            while (Frame.Read(stream) is { } frame)
            {
                var (h, body) = frame;
                if (h.Type != Frame.TypeRequest) continue;
                if (body == null)
                {
                    Reply(stream, writeLock, h.StreamId, Status(Code.ResourceExhausted,
                        $"message length {h.Length} exceed maximum message size of {Frame.MaxBody}"), ByteString.Empty);
                    continue;
                }
                ThreadPool.QueueUserWorkItem(_ => Handle(stream, writeLock, h.StreamId, body));
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    void Handle(Stream stream, object writeLock, uint streamId, byte[] body)
    {
        RpcStatus status;
        ByteString payload = ByteString.Empty;
        CancellationTokenSource? cts = null;
        try
        {
            var req = Request.Parser.ParseFrom(body);
            if (req.TimeoutNano > 0) cts = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(1, req.TimeoutNano / 100)));
            var token = cts?.Token ?? CancellationToken.None;
            if (!handlers.TryGetValue(req.Service + "/" + req.Method, out var handler))
            {
                status = Status(Code.Unimplemented, $"{req.Service}.{req.Method} not implemented");
            }
            else
            {
                var result = handler(req.Payload, token);
                payload = result.ToByteString();
                status = token.IsCancellationRequested ? Status(Code.DeadlineExceeded, "context deadline exceeded") : new RpcStatus();
                if (payload.Length > Frame.MaxBody) { status = Status(Code.ResourceExhausted, "response too large"); payload = ByteString.Empty; }
            }
        }
        catch (RpcException e) { status = Status(e.Code, e.Message); }
        catch (OperationCanceledException) { status = Status(Code.DeadlineExceeded, "context deadline exceeded"); }
        catch (InvalidProtocolBufferException e) { status = Status(Code.InvalidArgument, "bad request: " + e.Message); }
        catch (Exception e) { status = Status(Code.Unknown, e.Message); }
        finally { cts?.Dispose(); }
        Reply(stream, writeLock, streamId, status, payload);
        if (ExitAfterReply) Environment.Exit(0);
    }

    static RpcStatus Status(Code code, string message) => new() { Code = (int)code, Message = message };

    static void Reply(Stream stream, object writeLock, uint streamId, RpcStatus status, ByteString payload)
    {
        var resp = new Response { Status = status, Payload = payload };
        var frame = Frame.Encode(streamId, Frame.TypeResponse, resp.ToByteArray());
        try { lock (writeLock) { stream.Write(frame); stream.Flush(); } }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }
}
