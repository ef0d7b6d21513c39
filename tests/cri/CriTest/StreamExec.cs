using System.Net.WebSockets;
using System.Text;

namespace NRunc.Tests.Cri;

/// <summary>
/// Client side of the CRI streaming server's exec endpoint over WebSocket (Kubernetes'
/// v4.channel.k8s.io protocol): every binary message starts with a channel byte, 1 = stdout,
/// 2 = stderr, 3 = the final status as JSON.
/// </summary>
public static class StreamExec
{
    public sealed record Result(string Stdout, string Stderr, string Status);

    public static async Task<Result> Run(string url, int seconds = 30)
    {
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("v4.channel.k8s.io");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var wsUrl = new Uri("ws" + url["http".Length..]);
        await ws.ConnectAsync(wsUrl, cts.Token);
        var channels = new[] { new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder() };
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (ws.State == WebSocketState.Open)
        {
            var r = await ws.ReceiveAsync(buffer, cts.Token);
            if (r.MessageType == WebSocketMessageType.Close) break;
            message.Write(buffer, 0, r.Count);
            if (!r.EndOfMessage) continue;
            var bytes = message.ToArray();
            message.SetLength(0);
            if (bytes.Length > 0 && bytes[0] < channels.Length)
                channels[bytes[0]].Append(Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1));
        }
        return new Result(channels[1].ToString(), channels[2].ToString(), channels[3].ToString());
    }
}
