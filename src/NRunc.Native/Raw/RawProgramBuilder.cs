using System.Runtime.InteropServices;
using System.Text;

namespace NRunc.Native.Raw;

/// <summary>An argument of a raw op: a number, or a reference to data that the builder lays out in the program block.</summary>
public readonly struct RawArg
{
    internal readonly long Value;
    internal readonly int Data; // 0: plain value; n > 0: data item n-1

    RawArg(long value, int data) { Value = value; Data = data; }
    public static implicit operator RawArg(long value) => new(value, 0);
    public static implicit operator RawArg(int value) => new(value, 0);
    public static implicit operator RawArg(RawData data) => new(0, data.Index + 1);
}

/// <summary>A handle on data (bytes, a string, or a NULL-terminated pointer array) inside a program being built.</summary>
public readonly record struct RawData(int Index);

/// <summary>
/// Builds a <see cref="RawProgram"/>: steps that a cloned child (or init, just before exec) runs with raw syscalls only.
/// Each op carries a description so that a failure reported by the child becomes a message with the call and path.
/// </summary>
public sealed class RawProgramBuilder
{
    readonly List<(RawOpCode Code, RawArg[] Args, string What)> _ops = [];
    readonly List<byte[]?> _bytes = [];
    readonly List<int[]?> _arrays = [];

    public int Count => _ops.Count;

    /// <summary>fd that receives failures (see <see cref="RawFailure"/>), or -1.</summary>
    public int ErrorFd { get; set; } = -1;

    public RawData Bytes(ReadOnlySpan<byte> bytes)
    {
        _bytes.Add(bytes.ToArray()); _arrays.Add(null);
        return new RawData(_bytes.Count - 1);
    }

    /// <summary>A NUL-terminated UTF-8 string.</summary>
    public RawData String(string s)
    {
        var b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        _bytes.Add(b); _arrays.Add(null);
        return new RawData(_bytes.Count - 1);
    }

    /// <summary>A NULL-terminated array of pointers to NUL-terminated strings (argv, envp).</summary>
    public RawData StringArray(IEnumerable<string> items)
    {
        var idx = items.Select(s => String(s).Index).ToArray();
        _bytes.Add(null); _arrays.Add(idx);
        return new RawData(_bytes.Count - 1);
    }

    public RawProgramBuilder Add(RawOpCode code, string what, RawArg a0 = default, RawArg a1 = default, RawArg a2 = default, RawArg a3 = default, RawArg a4 = default)
    {
        _ops.Add((code, [a0, a1, a2, a3, a4], what));
        return this;
    }

    static int Align(int n) => (n + 7) & ~7;

    public unsafe RawProgram Build()
    {
        int size = Align(sizeof(RawProgramHeader)) + _ops.Count * sizeof(RawOp);
        var offsets = new int[_bytes.Count];
        for (int i = 0; i < _bytes.Count; i++)
        {
            offsets[i] = size;
            size += Align(_bytes[i] is { } b ? b.Length : (_arrays[i]!.Length + 1) * 8);
        }
        byte* block = (byte*)NativeMemory.AllocZeroed((nuint)size);
        var header = (RawProgramHeader*)block;
        header->OpCount = _ops.Count;
        header->ErrorFd = ErrorFd;
        var ops = (RawOp*)(block + Align(sizeof(RawProgramHeader)));
        for (int i = 0; i < _bytes.Count; i++)
        {
            byte* at = block + offsets[i];
            if (_bytes[i] is { } b) b.CopyTo(new Span<byte>(at, b.Length));
            else
            {
                var ptrs = (long*)at;
                var arr = _arrays[i]!;
                for (int j = 0; j < arr.Length; j++) ptrs[j] = (long)(block + offsets[arr[j]]);
                ptrs[arr.Length] = 0;
            }
        }
        var what = new string[_ops.Count];
        for (int i = 0; i < _ops.Count; i++)
        {
            var (code, args, w) = _ops[i];
            long Resolve(RawArg a) => a.Data == 0 ? a.Value : (long)(block + offsets[a.Data - 1]);
            ops[i] = new RawOp { Code = code, A0 = Resolve(args[0]), A1 = Resolve(args[1]), A2 = Resolve(args[2]), A3 = Resolve(args[3]), A4 = Resolve(args[4]) };
            what[i] = w;
        }
        return new RawProgram(block, what);
    }
}
