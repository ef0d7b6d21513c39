using System.Buffers.Binary;

namespace NRunc.Shim.Ttrpc;

/// <summary>
/// ttrpc's message framing: a 10-byte header (length u32 BE, stream id u32 BE, type u8, flags u8) then the body.
/// Bodies are at most 4 MiB; a larger one is read and dropped so the stream stays in step.
/// </summary>
public static class Frame
{
    public const int HeaderSize = 10;
    public const int MaxBody = 4 << 20;
    public const byte TypeRequest = 1, TypeResponse = 2, TypeData = 3;

    public readonly record struct Header(uint Length, uint StreamId, byte Type, byte Flags);

    public static void WriteHeader(Span<byte> dst, Header h)
    {
        BinaryPrimitives.WriteUInt32BigEndian(dst, h.Length);
        BinaryPrimitives.WriteUInt32BigEndian(dst[4..], h.StreamId);
        dst[8] = h.Type;
        dst[9] = h.Flags;
    }

    public static Header ReadHeader(ReadOnlySpan<byte> src) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(src), BinaryPrimitives.ReadUInt32BigEndian(src[4..]), src[8], src[9]);

    /// <summary>Header and body in one buffer, ready for a single send.</summary>
    public static byte[] Encode(uint streamId, byte type, ReadOnlySpan<byte> body)
    {
        var buf = new byte[HeaderSize + body.Length];
        WriteHeader(buf, new Header((uint)body.Length, streamId, type, 0));
        body.CopyTo(buf.AsSpan(HeaderSize));
        return buf;
    }

    /// <summary>Reads one frame. Returns null at end of stream. A body over <see cref="MaxBody"/> is consumed and
    /// returned as null <c>Body</c> so the caller can answer RESOURCE_EXHAUSTED.</summary>
    public static (Header Header, byte[]? Body)? Read(Stream s)
    {
        Span<byte> hb = stackalloc byte[HeaderSize];
        if (!ReadExactly(s, hb)) return null;
        var h = ReadHeader(hb);
        if (h.Length > MaxBody)
        {
            var sink = new byte[64 * 1024];
            long left = h.Length;
            while (left > 0)
            {
                int n = s.Read(sink, 0, (int)Math.Min(left, sink.Length));
                if (n <= 0) return null;
                left -= n;
            }
            return (h, null);
        }
        var body = new byte[h.Length];
        if (!ReadExactly(s, body)) return null;
        return (h, body);
    }

    static bool ReadExactly(Stream s, Span<byte> buf)
    {
        int off = 0;
        while (off < buf.Length)
        {
            int n = s.Read(buf[off..]);
            if (n <= 0) return false;
            off += n;
        }
        return true;
    }
}
