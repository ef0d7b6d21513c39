using NRunc.Container.State;
using NRunc.Spec;

namespace NRunc.Container.Operations;

/// <summary>`nrunc update`: writes new limits to the container's cgroups and keeps them in its stored config.</summary>
public static class UpdateOperation
{
    public static void Update(StateStore store, string id, LinuxResources resources)
    {
        StateStore.ValidateId(id);
        using var _ = store.Lock(id);
        var record = store.Load(id);
        if (StatusProbe.Get(store, record) == ContainerStatus.Stopped) throw new ContainerException("container not running");
        ContainerCgroups.Open(record).Set(resources);
        if (record.ConfigPath is { } path && File.Exists(path))
        {
            var spec = ConfigLoader.Parse(File.ReadAllBytes(path), Path.GetFileName(path));
            spec.Linux ??= new Linux();
            spec.Linux.Resources = Merge(spec.Linux.Resources, resources);
            var bytes = SpecWriter.ToUtf8(spec);
            StateStore.WriteAtomic(path, bytes);
        }
    }

    /// <summary>Overlays the fields that <paramref name="update"/> sets onto <paramref name="current"/>.</summary>
    public static LinuxResources Merge(LinuxResources? current, LinuxResources update)
    {
        var r = current ?? new LinuxResources();
        if (update.Memory is { } m)
        {
            var cm = r.Memory ??= new LinuxMemory();
            cm.Limit = m.Limit ?? cm.Limit;
            cm.Reservation = m.Reservation ?? cm.Reservation;
            cm.Swap = m.Swap ?? cm.Swap;
            cm.Kernel = m.Kernel ?? cm.Kernel;
            cm.KernelTcp = m.KernelTcp ?? cm.KernelTcp;
            cm.Swappiness = m.Swappiness ?? cm.Swappiness;
            cm.DisableOomKiller = m.DisableOomKiller ?? cm.DisableOomKiller;
            cm.UseHierarchy = m.UseHierarchy ?? cm.UseHierarchy;
            cm.CheckBeforeUpdate = m.CheckBeforeUpdate ?? cm.CheckBeforeUpdate;
        }
        if (update.Cpu is { } c)
        {
            var cc = r.Cpu ??= new LinuxCpu();
            cc.Shares = c.Shares ?? cc.Shares;
            cc.Quota = c.Quota ?? cc.Quota;
            cc.Burst = c.Burst ?? cc.Burst;
            cc.Period = c.Period ?? cc.Period;
            cc.RealtimeRuntime = c.RealtimeRuntime ?? cc.RealtimeRuntime;
            cc.RealtimePeriod = c.RealtimePeriod ?? cc.RealtimePeriod;
            cc.Cpus = c.Cpus ?? cc.Cpus;
            cc.Mems = c.Mems ?? cc.Mems;
            cc.Idle = c.Idle ?? cc.Idle;
        }
        if (update.Pids is { } p) r.Pids = p;
        if (update.BlockIO is { } b)
        {
            var cb = r.BlockIO ??= new LinuxBlockIO();
            cb.Weight = b.Weight ?? cb.Weight;
            cb.LeafWeight = b.LeafWeight ?? cb.LeafWeight;
            cb.WeightDevice = b.WeightDevice ?? cb.WeightDevice;
            cb.ThrottleReadBpsDevice = b.ThrottleReadBpsDevice ?? cb.ThrottleReadBpsDevice;
            cb.ThrottleWriteBpsDevice = b.ThrottleWriteBpsDevice ?? cb.ThrottleWriteBpsDevice;
            cb.ThrottleReadIopsDevice = b.ThrottleReadIopsDevice ?? cb.ThrottleReadIopsDevice;
            cb.ThrottleWriteIopsDevice = b.ThrottleWriteIopsDevice ?? cb.ThrottleWriteIopsDevice;
        }
        if (update.Devices is { } d) r.Devices = d;
        if (update.HugepageLimits is { } h) r.HugepageLimits = h;
        if (update.Network is { } n) r.Network = n;
        if (update.Rdma is { } rd) r.Rdma = rd;
        if (update.Unified is { } u)
        {
            r.Unified ??= new Dictionary<string, string>();
            foreach (var (k, v) in u) r.Unified[k] = v;
        }
        return r;
    }

    /// <summary>docker/go-units RAMInBytes: "512", "10k", "64m", "1.5g", "2GiB", "100MB" (binary multiples).</summary>
    public static long ParseRamBytes(string s)
    {
        var t = s.Trim();
        int i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.')) i++;
        if (i == 0 || !double.TryParse(t.AsSpan(0, i), System.Globalization.NumberStyles.AllowDecimalPoint,
                System.Globalization.CultureInfo.InvariantCulture, out var num))
            throw new ContainerException($"invalid size: '{s}'");
        var unit = t[i..].Trim().ToLowerInvariant();
        double mul = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" or "ki" => 1L << 10,
            "m" or "mb" or "mib" or "mi" => 1L << 20,
            "g" or "gb" or "gib" or "gi" => 1L << 30,
            "t" or "tb" or "tib" or "ti" => 1L << 40,
            "p" or "pb" or "pib" or "pi" => 1L << 50,
            _ => throw new ContainerException($"invalid size: '{s}'"),
        };
        return (long)(num * mul);
    }
}
