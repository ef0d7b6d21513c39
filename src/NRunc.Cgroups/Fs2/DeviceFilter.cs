using System.Text;
using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs2;

/// <summary>
/// Compiles a <see cref="DeviceRuleSet"/> into a BPF_PROG_TYPE_CGROUP_DEVICE program. The context is
/// struct bpf_cgroup_dev_ctx { u32 access_type (type in the low 16 bits, access bits above); u32 major; u32 minor; };
/// the program returns 1 to allow, 0 to deny. On a deny default an exception allows when it matches and holds every
/// requested access bit; on an allow default an exception denies when it matches and holds any requested bit
/// (the kernel's v1 match rules), so the order of the exceptions does not matter.
/// </summary>
public static class DeviceFilter
{
    // Registers after the prologue: r2 = device type, r3 = requested access, r4 = major, r5 = minor; r1 is scratch.
    const int DevBlock = 1, DevChar = 2; // BPF_DEVCG_DEV_*

    /// <summary>One instruction and its assembly text (for golden files and error messages).</summary>
    public readonly record struct Insn(ulong Code, string Asm);

    public static List<Insn> Compile(DeviceRuleSet set)
    {
        var p = new List<Insn>
        {
            LdxW(2, 1, 0), AluK(0x54, 2, 0xFFFF, "w2 &= 0xffff"),
            LdxW(3, 1, 0), AluK(0x74, 3, 16, "w3 >>= 16"),
            LdxW(4, 1, 4), LdxW(5, 1, 8),
        };
        foreach (var e in set.Exceptions)
        {
            var block = new List<(byte Op, int Dst, int Imm, string Asm)>();
            if (e.Type != 'a') block.Add((0x55, 2, e.Type == 'b' ? DevBlock : DevChar, $"if r2 != {(e.Type == 'b' ? "block" : "char")}"));
            if (!set.DefaultAllow && e.Access != DeviceRuleSet.All)
            {
                // allow only when no requested bit is outside the exception's access
                block.Add((0xbc, 1, 3, "w1 = w3"));
                block.Add((0x54, 1, ~e.Access & DeviceRuleSet.All, "w1 &= "));
                block.Add((0x55, 1, 0, "if r1 != 0"));
            }
            else if (set.DefaultAllow && e.Access != DeviceRuleSet.All)
            {
                // deny when any requested bit is in the exception's access
                block.Add((0xbc, 1, 3, "w1 = w3"));
                block.Add((0x54, 1, e.Access, "w1 &= "));
                block.Add((0x15, 1, 0, "if r1 == 0"));
            }
            if (e.Major != DeviceRule.Wildcard) block.Add((0x55, 4, Imm(e.Major, "major"), "if r4 != "));
            if (e.Minor != DeviceRule.Wildcard) block.Add((0x55, 5, Imm(e.Minor, "minor"), "if r5 != "));
            int end = p.Count + block.Count + 2; // index of the next block
            foreach (var (op, dst, imm, asm) in block)
            {
                int at = p.Count;
                switch (op)
                {
                    case 0xbc: p.Add(new Insn(Encode(0xbc, dst, imm, 0, 0), asm)); break;
                    case 0x54: p.Add(AluK(0x54, dst, imm, asm + $"0x{imm:x}")); break;
                    default:
                        short off = (short)(end - (at + 1));
                        var text = asm.EndsWith(' ') ? asm + Conversions.Str(imm) : asm;
                        p.Add(new Insn(Encode(op, dst, 0, off, imm), $"{text} goto +{off}"));
                        break;
                }
            }
            p.Add(Mov(0, set.DefaultAllow ? 0 : 1));
            p.Add(Exit());
        }
        p.Add(Mov(0, set.DefaultAllow ? 1 : 0));
        p.Add(Exit());
        return p;
    }

    static int Imm(long v, string what) => v is >= 0 and <= int.MaxValue ? (int)v
        : throw new CgroupException($"device {what} number {v} is out of range for a device filter");

    static ulong Encode(byte op, int dst, int src, short off, int imm) =>
        op | (ulong)(byte)((src << 4) | dst) << 8 | (ulong)(ushort)off << 16 | (ulong)(uint)imm << 32;

    static Insn LdxW(int dst, int src, short off) => new(Encode(0x61, dst, src, off, 0), $"r{dst} = *(u32 *)(r{src} + {off})");
    static Insn AluK(byte op, int dst, int imm, string asm) => new(Encode(op, dst, 0, 0, imm), asm);
    static Insn Mov(int dst, int imm) => new(Encode(0xb7, dst, 0, 0, imm), $"r{dst} = {imm}");
    static Insn Exit() => new(Encode(0x95, 0, 0, 0, 0), "exit");

    /// <summary>The program's bytes, as bpf(BPF_PROG_LOAD) takes them (little-endian struct bpf_insn).</summary>
    public static byte[] Bytes(IReadOnlyList<Insn> program)
    {
        var b = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++) BitConverter.TryWriteBytes(b.AsSpan(i * 8), program[i].Code);
        return b;
    }

    /// <summary>"index: hex bytes  assembly" per instruction.</summary>
    public static string Dump(IReadOnlyList<Insn> program)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < program.Count; i++)
            sb.Append($"{i,3}: {program[i].Code & 0xff:x2} {(program[i].Code >> 8) & 0xff:x2} {(program[i].Code >> 16) & 0xffff:x4} {(uint)(program[i].Code >> 32):x8}  {program[i].Asm}\n");
        return sb.ToString();
    }
}
