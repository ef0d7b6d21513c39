using System.Runtime.InteropServices;

namespace NRunc.Native;

// bpf(2) for cgroup v2 device filters (BPF_PROG_TYPE_CGROUP_DEVICE): load, attach to a cgroup dir fd, query the
// programs already attached, detach. glibc has no wrapper, so it goes through syscall(2).
public static unsafe partial class Libc
{
    const long SYS_bpf = 321; // x86_64

    public const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13,
        BPF_PROG_QUERY = 16;
    public const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;

    /// <summary>The BPF_PROG_LOAD part of union bpf_attr (fields up to expected_attach_type).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgLoadAttr
    {
        public uint ProgType, InsnCnt;
        public ulong Insns, License;
        public uint LogLevel, LogSize;
        public ulong LogBuf;
        public uint KernVersion, ProgFlags;
        public fixed byte ProgName[16];
        public uint ProgIfindex, ExpectedAttachType;
    }

    /// <summary>The BPF_PROG_ATTACH/DETACH part of union bpf_attr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfAttachAttr
    {
        public uint TargetFd, AttachBpfFd, AttachType, AttachFlags, ReplaceBpfFd;
    }

    /// <summary>The BPF_PROG_QUERY part of union bpf_attr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfQueryAttr
    {
        public uint TargetFd, AttachType, QueryFlags, AttachFlags;
        public ulong ProgIds;
        public uint ProgCnt, Pad;
    }

    /// <summary>bpf(2): <paramref name="attr"/> points at one of the structs above, <paramref name="size"/> its size.</summary>
    public static int Bpf(int cmd, void* attr, int size) => (int)syscall(SYS_bpf, cmd, (long)attr, size, 0, 0, 0);
}
