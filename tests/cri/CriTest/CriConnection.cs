using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Runtime.V1;

namespace NRunc.Tests.Cri;

/// <summary>gRPC clients for containerd's CRI services over its unix socket.</summary>
public sealed class CriConnection : IDisposable
{
    readonly GrpcChannel _channel;

    public RuntimeService.RuntimeServiceClient Runtime { get; }
    public ImageService.ImageServiceClient Images { get; }

    public CriConnection(string socketPath)
    {
        // HTTP/2 without TLS over a unix socket; the authority is ignored by containerd.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);
        Images = new ImageService.ImageServiceClient(_channel);
    }

    /// <summary>Deadline for one call: generous, the machine is shared and slow.</summary>
    public static CallOptions Within(int seconds = 60) => new(deadline: DateTime.UtcNow.AddSeconds(seconds));

    public void Dispose() => _channel.Dispose();
}
