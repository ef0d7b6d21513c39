using System.Globalization;
using NRunc.Native.Raw;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// linux.memoryPolicy: set_mempolicy(2) on the thread that execs the user's program (the policy is per thread and
/// survives execve), appended as a raw step so that init and exec share it.
/// </summary>
internal static class MemoryPolicy
{
    const long SetMempolicy = 238;

    public static void Append(RawProgramBuilder b, NRunc.Spec.LinuxMemoryPolicy? policy)
    {
        if (policy is null) return;
        int mode = policy.Mode switch
        {
            "MPOL_DEFAULT" => 0, "MPOL_PREFERRED" => 1, "MPOL_BIND" => 2, "MPOL_INTERLEAVE" => 3, "MPOL_LOCAL" => 4,
            "MPOL_PREFERRED_MANY" => 5, "MPOL_WEIGHTED_INTERLEAVE" => 6,
            _ => throw new ContainerException($"config.json: linux.memoryPolicy.mode: unknown mode \"{policy.Mode}\""),
        };
        foreach (var f in policy.Flags ?? [])
            mode |= f switch
            {
                "MPOL_F_NUMA_BALANCING" => 1 << 13, "MPOL_F_RELATIVE_NODES" => 1 << 14, "MPOL_F_STATIC_NODES" => 1 << 15,
                _ => throw new ContainerException($"config.json: linux.memoryPolicy.flags: unknown flag \"{f}\""),
            };
        var mask = new byte[128]; // 1024 nodes
        int maxNode = 0;
        if (!string.IsNullOrEmpty(policy.Nodes))
        {
            foreach (var part in policy.Nodes.Split(','))
            {
                var range = part.Split('-', 2);
                if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int lo) ||
                    !int.TryParse(range.Length == 2 ? range[1] : range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int hi) ||
                    hi < lo || hi >= mask.Length * 8)
                    throw new ContainerException($"config.json: linux.memoryPolicy.nodes: invalid node list \"{policy.Nodes}\"");
                for (int n = lo; n <= hi; n++) mask[n / 8] |= (byte)(1 << (n % 8));
                maxNode = Math.Max(maxNode, hi + 1);
            }
        }
        var data = b.Bytes(mask);
        b.Add(RawOpCode.Syscall, $"set_mempolicy {policy.Mode} nodes \"{policy.Nodes}\"", SetMempolicy, mode, maxNode == 0 ? (RawArg)0L : (RawArg)data, maxNode == 0 ? 0 : maxNode + 1);
    }
}
