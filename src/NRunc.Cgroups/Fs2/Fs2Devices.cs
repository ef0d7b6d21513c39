using NRunc.Cgroups.Common;
using NRunc.Native;

namespace NRunc.Cgroups.Fs2;

/// <summary>
/// cgroup v2 device rules: the rules are compiled into an eBPF device filter (<see cref="DeviceFilter"/>), loaded
/// and attached to the container's cgroup with BPF_F_ALLOW_MULTI; the filters that were attached before (an earlier
/// create or update) are detached afterwards, so there is never a moment without a filter.
/// </summary>
public static unsafe class Fs2Devices
{
    public static void Set(string dir, IReadOnlyList<DeviceRule> rules)
    {
        var program = DeviceFilter.Compile(DeviceRuleSet.From(rules));
        int cg;
        fixed (byte* path = Utf8.Z(dir)) cg = Libc.open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (cg < 0) throw Error("open", dir);
        try
        {
            var old = AttachedIds(cg, dir);
            int prog = Load(program, dir);
            try
            {
                var attach = new Libc.BpfAttachAttr
                {
                    TargetFd = (uint)cg, AttachBpfFd = (uint)prog, AttachType = Libc.BPF_CGROUP_DEVICE,
                    AttachFlags = Libc.BPF_F_ALLOW_MULTI,
                };
                if (Libc.Bpf(Libc.BPF_PROG_ATTACH, &attach, sizeof(Libc.BpfAttachAttr)) < 0) throw Error("bpf(BPF_PROG_ATTACH)", dir);
            }
            finally { Libc.close(prog); }
            foreach (var id in old) Detach(cg, id, dir);
        }
        finally { Libc.close(cg); }
    }

    /// <summary>Ids of the device programs attached to <paramref name="dir"/> (for tests).</summary>
    public static List<uint> Attached(string dir)
    {
        int cg;
        fixed (byte* path = Utf8.Z(dir)) cg = Libc.open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (cg < 0) throw Error("open", dir);
        try { return AttachedIds(cg, dir); }
        finally { Libc.close(cg); }
    }

    /// <summary>Ids of the device programs attached to the cgroup itself.</summary>
    static List<uint> AttachedIds(int cg, string dir)
    {
        var ids = new uint[64];
        fixed (uint* p = ids)
        {
            var q = new Libc.BpfQueryAttr { TargetFd = (uint)cg, AttachType = Libc.BPF_CGROUP_DEVICE, ProgIds = (ulong)p, ProgCnt = (uint)ids.Length };
            if (Libc.Bpf(Libc.BPF_PROG_QUERY, &q, sizeof(Libc.BpfQueryAttr)) < 0) throw Error("bpf(BPF_PROG_QUERY)", dir);
            return ids.AsSpan(0, (int)Math.Min(q.ProgCnt, (uint)ids.Length)).ToArray().ToList();
        }
    }

    static void Detach(int cg, uint id, string dir)
    {
        uint* getFd = stackalloc uint[4];
        getFd[0] = id; getFd[1] = 0; getFd[2] = 0; getFd[3] = 0;
        int fd = Libc.Bpf(Libc.BPF_PROG_GET_FD_BY_ID, getFd, 16);
        if (fd < 0)
        {
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.ENOENT) return; // already gone
            throw Error($"bpf(BPF_PROG_GET_FD_BY_ID {id})", dir);
        }
        try
        {
            var attr = new Libc.BpfAttachAttr { TargetFd = (uint)cg, AttachBpfFd = (uint)fd, AttachType = Libc.BPF_CGROUP_DEVICE };
            if (Libc.Bpf(Libc.BPF_PROG_DETACH, &attr, sizeof(Libc.BpfAttachAttr)) < 0
                && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.ENOENT)
                throw Error($"bpf(BPF_PROG_DETACH {id})", dir);
        }
        finally { Libc.close(fd); }
    }

    static int Load(List<DeviceFilter.Insn> program, string dir)
    {
        var insns = DeviceFilter.Bytes(program);
        var license = "Apache\0"u8.ToArray();
        var log = new byte[65536];
        fixed (byte* pi = insns, pl = license, plog = log)
        {
            var attr = new Libc.BpfProgLoadAttr
            {
                ProgType = Libc.BPF_PROG_TYPE_CGROUP_DEVICE, InsnCnt = (uint)program.Count, Insns = (ulong)pi,
                License = (ulong)pl,
            };
            int fd = Libc.Bpf(Libc.BPF_PROG_LOAD, &attr, sizeof(Libc.BpfProgLoadAttr));
            if (fd >= 0) return fd;
            int err = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (err != Errno.EACCES && err != Errno.EINVAL) throw new CgroupException($"bpf(BPF_PROG_LOAD) of the device filter for {dir}: {Errno.Describe(err)}", err);
            // The verifier refused it: load again with its log, for the message.
            attr.LogLevel = 1; attr.LogSize = (uint)log.Length; attr.LogBuf = (ulong)plog;
            Libc.Bpf(Libc.BPF_PROG_LOAD, &attr, sizeof(Libc.BpfProgLoadAttr));
            var text = System.Text.Encoding.UTF8.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0)));
            throw new CgroupException($"bpf(BPF_PROG_LOAD) of the device filter for {dir}: {Errno.Describe(err)}: {text.Trim()}\n{DeviceFilter.Dump(program)}", err);
        }
    }

    static CgroupException Error(string call, string dir)
    {
        int err = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return new CgroupException($"{call} {dir}: {Errno.Describe(err)}", err);
    }
}
