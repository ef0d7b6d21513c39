using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NRunc.Shim.Protos;
using NRunc.Shim.Ttrpc;
using Xunit;

namespace NRunc.Shim.Tests;

/// <summary>The ttrpc server over a real unix socket: concurrency and ordering, deadlines, status codes, limits.</summary>
public sealed class ServerTests : IDisposable
{
    readonly string path = Path.Combine(Path.GetTempPath(), $"shim-test-{Guid.NewGuid():N}.sock");
    readonly Socket listener;

    readonly SemaphoreSlim held = new(0);

    public ServerTests()
    {
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(8);
        var handlers = new Dictionary<string, Handler>
        {
            ["t.S/Echo"] = (p, _) => new StringValue { Value = StringValue.Parser.ParseFrom(p).Value },
            ["t.S/Slow"] = (p, ct) => { Task.Delay(400, ct).Wait(ct); return new StringValue { Value = "slow" }; },
            ["t.S/Fail"] = (_, _) => throw new RpcException(Code.NotFound, "no such thing"),
            // held until the test lets it go: out-of-order replies without betting on a delay under load
            ["t.S/Held"] = (p, ct) => { held.Wait(TimeSpan.FromSeconds(30), ct); return new StringValue { Value = "held" }; },
        };
        new Thread(() => { try { new Server(listener, handlers).Serve(); } catch { } }) { IsBackground = true }.Start();
    }

    public void Dispose()
    {
        listener.Dispose();
        File.Delete(path);
    }

    NetworkStream Connect()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(path));
        s.ReceiveTimeout = 5000;
        return new NetworkStream(s, ownsSocket: true);
    }

    static void Send(Stream s, uint id, string method, IMessage msg, long timeoutNano = 0) =>
        s.Write(Frame.Encode(id, Frame.TypeRequest, new Request { Service = "t.S", Method = method, Payload = msg.ToByteString(), TimeoutNano = timeoutNano }.ToByteArray()));

    static (uint Id, Response Resp) Receive(Stream s)
    {
        var f = Frame.Read(s)!.Value;
        Assert.Equal(Frame.TypeResponse, f.Header.Type);
        return (f.Header.StreamId, Response.Parser.ParseFrom(f.Body));
    }

    [Fact]
    public void ConcurrentRequestsCompleteOutOfOrder()
    {
        using var s = Connect();
        Send(s, 1, "Held", new Empty());
        Send(s, 3, "Echo", new StringValue { Value = "fast" });
        var first = Receive(s);
        Assert.Equal(3u, first.Id);
        Assert.Equal("fast", StringValue.Parser.ParseFrom(first.Resp.Payload).Value);
        held.Release();
        var second = Receive(s);
        Assert.Equal(1u, second.Id);
        Assert.Equal(0, second.Resp.Status?.Code ?? 0);
    }

    [Fact]
    public void UnknownMethodIsUnimplemented()
    {
        using var s = Connect();
        Send(s, 1, "Nope", new Empty());
        Assert.Equal((int)Code.Unimplemented, Receive(s).Resp.Status.Code);
    }

    [Fact]
    public void HandlerErrorCarriesItsCode()
    {
        using var s = Connect();
        Send(s, 1, "Fail", new Empty());
        var r = Receive(s).Resp;
        Assert.Equal((int)Code.NotFound, r.Status.Code);
        Assert.Equal("no such thing", r.Status.Message);
    }

    [Fact]
    public void TimeoutNanoBecomesDeadlineExceeded()
    {
        using var s = Connect();
        Send(s, 1, "Slow", new Empty(), timeoutNano: 50_000_000);
        Assert.Equal((int)Code.DeadlineExceeded, Receive(s).Resp.Status.Code);
    }

    [Fact]
    public void MessageOverFourMiBIsResourceExhaustedAndTheStreamGoesOn()
    {
        using var s = Connect();
        var header = new byte[Frame.HeaderSize];
        Frame.WriteHeader(header, new Frame.Header((uint)Frame.MaxBody + 10, 1, Frame.TypeRequest, 0));
        s.Write(header);
        s.Write(new byte[Frame.MaxBody + 10]);
        var r = Receive(s);
        Assert.Equal(1u, r.Id);
        Assert.Equal((int)Code.ResourceExhausted, r.Resp.Status.Code);
        Send(s, 3, "Echo", new StringValue { Value = "after" });
        Assert.Equal("after", StringValue.Parser.ParseFrom(Receive(s).Resp.Payload).Value);
    }

    [Fact]
    public void ClientCallsTheServer()
    {
        using var client = new Client(path);
        var payload = client.Call("t.S", "Echo", new StringValue { Value = "via client" }, TimeSpan.FromSeconds(5));
        Assert.Equal("via client", StringValue.Parser.ParseFrom(payload).Value);
        var e = Assert.Throws<RpcException>(() => client.Call("t.S", "Fail", new Empty(), TimeSpan.FromSeconds(5)));
        Assert.Equal(Code.NotFound, e.Code);
    }
}
