using System.Globalization;
using NRunc.Container;
using NRunc.Container.Operations;
using NRunc.Spec;

namespace NRunc.Cli.Commands;

public static class UpdateCommand
{
    public static Command Create() => new()
    {
        Name = "update",
        Summary = "update container resource constraints",
        ArgsUsage = "<container-id>",
        Help = """
            The --resources file (or '-' for standard input) holds an OCI linux.resources
            object, for example (unchanged values can be omitted; zero values are ignored):

            {
              "memory": { "limit": 0, "reservation": 0, "swap": 0 },
              "cpu": { "shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0,
                       "realtimePeriod": 0, "cpus": "", "mems": "" },
              "blockIO": { "weight": 0 },
              "pids": { "limit": 0 }
            }

            Note: if data is read from a file or the standard input, all other options are
            ignored. Memory sizes take units (k, m, g: 64m, 1g); -1 means unlimited.
            """,
        Flags =
        [
            new("resources", FlagKind.Value, "path to the file containing the resources to update or '-' to read from the standard input", "r"),
            new("blkio-weight", FlagKind.Value, "Specifies per cgroup weight, range is from 10 to 1000", defaultText: "0"),
            new("cpu-period", FlagKind.Value, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
            new("cpu-quota", FlagKind.Value, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
            new("cpu-share", FlagKind.Value, "CPU shares (relative weight vs. other containers)", "cpu-shares"),
            new("cpu-rt-period", FlagKind.Value, "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
            new("cpu-rt-runtime", FlagKind.Value, "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
            new("cpuset-cpus", FlagKind.Value, "CPU(s) to use"),
            new("cpuset-mems", FlagKind.Value, "Memory node(s) to use"),
            new("memory", FlagKind.Value, "Memory limit (in bytes)"),
            new("memory-reservation", FlagKind.Value, "Memory reservation or soft_limit (in bytes)"),
            new("memory-swap", FlagKind.Value, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
            new("pids-limit", FlagKind.Value, "Maximum number of pids allowed in the container", defaultText: "0"),
            new("l3-cache-schema", FlagKind.Value, "The string of Intel RDT/CAT L3 cache schema (not supported: no Intel RDT)"),
            new("mem-bw-schema", FlagKind.Value, "The string of Intel RDT/MBA memory bandwidth schema (not supported: no Intel RDT)"),
        ],
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv =>
        {
            var resources = Build(inv.Flags, Console.OpenStandardInput);
            UpdateOperation.Update(inv.Store(), inv.Id, resources);
            return 0;
        },
    };

    /// <summary>The resources to apply: the --resources document, else the per-field flags; zero values dropped (runc).</summary>
    public static LinuxResources Build(FlagValues f, Func<Stream> stdin)
    {
        if (f.String("resources") is { Length: > 0 } file)
        {
            byte[] data;
            if (file == "-")
            {
                using var ms = new MemoryStream();
                using (var s = stdin()) s.CopyTo(ms);
                data = ms.ToArray();
            }
            else data = File.ReadAllBytes(file);
            var name = file == "-" ? "resources" : Path.GetFileName(file);
            return DropZeros(ConfigLoader.ParseResources(data, name));
        }
        if (f.IsSet("l3-cache-schema") || f.IsSet("mem-bw-schema"))
            throw new ContainerException("Intel RDT is not supported");
        var r = new LinuxResources();
        if (f.String("blkio-weight") is { } bw && Int("blkio-weight", bw) is var w && w != 0)
        {
            if (w is < 0 or > ushort.MaxValue) throw new ContainerException($"invalid value for blkio-weight: {bw}");
            (r.BlockIO ??= new()).Weight = (ushort)w;
        }
        if (f.String("cpuset-cpus") is { Length: > 0 } cpus) (r.Cpu ??= new()).Cpus = cpus;
        if (f.String("cpuset-mems") is { Length: > 0 } mems) (r.Cpu ??= new()).Mems = mems;
        if (U64(f, "cpu-period") is { } period and not 0) (r.Cpu ??= new()).Period = period;
        if (U64(f, "cpu-rt-period") is { } rtp and not 0) (r.Cpu ??= new()).RealtimePeriod = rtp;
        if (U64(f, "cpu-share") is { } shares and not 0) (r.Cpu ??= new()).Shares = shares;
        if (I64(f, "cpu-quota") is { } quota and not 0) (r.Cpu ??= new()).Quota = quota;
        if (I64(f, "cpu-rt-runtime") is { } rtr and not 0) (r.Cpu ??= new()).RealtimeRuntime = rtr;
        if (Mem(f, "memory") is { } limit and not 0) (r.Memory ??= new()).Limit = limit;
        if (Mem(f, "memory-swap") is { } swap and not 0) (r.Memory ??= new()).Swap = swap;
        if (Mem(f, "memory-reservation") is { } res and not 0) (r.Memory ??= new()).Reservation = res;
        if (f.String("pids-limit") is { } pl && Int("pids-limit", pl) is var p && p != 0) r.Pids = new LinuxPids { Limit = p };
        return r;
    }

    static long Int(string name, string v) =>
        GoParse.TryInt64(v, out var n) ? n : throw new UsageException($"invalid value \"{v}\" for flag -{name}: parse error");

    static ulong? U64(FlagValues f, string name) => f.String(name) is { Length: > 0 } v
        ? ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new ContainerException($"invalid value for {name}: strconv.ParseUint: parsing \"{v}\": invalid syntax")
        : null;

    static long? I64(FlagValues f, string name) => f.String(name) is { Length: > 0 } v
        ? long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : throw new ContainerException($"invalid value for {name}: strconv.ParseInt: parsing \"{v}\": invalid syntax")
        : null;

    static long? Mem(FlagValues f, string name)
    {
        if (f.String(name) is not { Length: > 0 } v) return null;
        if (v == "-1") return -1;
        try { return UpdateOperation.ParseRamBytes(v); }
        catch (ContainerException e) { throw new ContainerException($"invalid value for {name}: {e.Message}"); }
    }

    /// <summary>runc applies only non-zero values of an update (a zero means "leave as is").</summary>
    public static LinuxResources DropZeros(LinuxResources r)
    {
        if (r.Memory is { } m)
        {
            if (m.Limit == 0) m.Limit = null;
            if (m.Reservation == 0) m.Reservation = null;
            if (m.Swap == 0) m.Swap = null;
            if (m.Kernel == 0) m.Kernel = null;
            if (m.KernelTcp == 0) m.KernelTcp = null;
        }
        if (r.Cpu is { } c)
        {
            if (c.Shares == 0) c.Shares = null;
            if (c.Quota == 0) c.Quota = null;
            if (c.Period == 0) c.Period = null;
            if (c.RealtimeRuntime == 0) c.RealtimeRuntime = null;
            if (c.RealtimePeriod == 0) c.RealtimePeriod = null;
            if (c.Cpus == "") c.Cpus = null;
            if (c.Mems == "") c.Mems = null;
        }
        if (r.BlockIO is { Weight: 0 } b) b.Weight = null;
        if (r.Pids is { Limit: 0 }) r.Pids = null;
        return r;
    }
}
