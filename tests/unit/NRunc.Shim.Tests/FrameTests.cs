using NRunc.Shim.Ttrpc;
using Xunit;

namespace NRunc.Shim.Tests;

public class FrameTests
{
    [Fact]
    public void HeaderIsBigEndianLengthStreamTypeFlags()
    {
        var buf = Frame.Encode(0x01020305, Frame.TypeResponse, new byte[] { 0xAA, 0xBB });
        Assert.Equal(new byte[] { 0, 0, 0, 2, 1, 2, 3, 5, 2, 0, 0xAA, 0xBB }, buf);
        var h = Frame.ReadHeader(buf);
        Assert.Equal(2u, h.Length);
        Assert.Equal(0x01020305u, h.StreamId);
        Assert.Equal(Frame.TypeResponse, h.Type);
    }

    [Fact]
    public void ReadsFramesBackToBackAndStopsAtEnd()
    {
        var ms = new MemoryStream();
        ms.Write(Frame.Encode(1, Frame.TypeRequest, "abc"u8));
        ms.Write(Frame.Encode(3, Frame.TypeRequest, ReadOnlySpan<byte>.Empty));
        ms.Position = 0;
        var a = Frame.Read(ms)!.Value;
        Assert.Equal(1u, a.Header.StreamId);
        Assert.Equal("abc"u8.ToArray(), a.Body);
        var b = Frame.Read(ms)!.Value;
        Assert.Equal(3u, b.Header.StreamId);
        Assert.Empty(b.Body!);
        Assert.Null(Frame.Read(ms));
    }

    [Fact]
    public void OversizedBodyIsConsumedAndReportedWithoutBody()
    {
        var ms = new MemoryStream();
        var big = new byte[Frame.MaxBody + 1];
        var header = new byte[Frame.HeaderSize];
        Frame.WriteHeader(header, new Frame.Header((uint)big.Length, 5, Frame.TypeRequest, 0));
        ms.Write(header);
        ms.Write(big);
        ms.Write(Frame.Encode(7, Frame.TypeRequest, "x"u8));
        ms.Position = 0;
        var f = Frame.Read(ms)!.Value;
        Assert.Equal(5u, f.Header.StreamId);
        Assert.Null(f.Body);
        Assert.Equal(7u, Frame.Read(ms)!.Value.Header.StreamId);
    }

    [Fact]
    public void TruncatedFrameIsEndOfStream()
    {
        var full = Frame.Encode(1, Frame.TypeRequest, "hello"u8);
        Assert.Null(Frame.Read(new MemoryStream(full[..8])));
        Assert.Null(Frame.Read(new MemoryStream(full[..12])));
    }
}
