using System.Text.Json;

namespace NRunc.Spec;

/// <summary>
/// Hand-written writer for config.json and state, for the same reason as <see cref="SpecReader"/>:
/// the first source-generated serialisation in a process costs milliseconds of metadata set-up.
/// Output is identical to serialising with <see cref="SpecJsonContext"/> (unit-tested): members
/// in model order, nulls omitted, Go `omitempty` scalars omitted at their zero value.
/// </summary>
internal static class SpecJsonWriter
{
    public static void Write(Utf8JsonWriter w, Spec s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion"u8, s.OciVersion);
        if (s.Process is { } p) { w.WritePropertyName("process"u8); Write(w, p); }
        if (s.Root is { } root)
        {
            w.WriteStartObject("root"u8);
            w.WriteString("path"u8, root.Path);
            if (root.Readonly) w.WriteBoolean("readonly"u8, true);
            w.WriteEndObject();
        }
        Str(w, "hostname"u8, s.Hostname);
        Str(w, "domainname"u8, s.Domainname);
        if (s.Mounts is { } mounts)
        {
            w.WriteStartArray("mounts"u8);
            foreach (var m in mounts)
            {
                w.WriteStartObject();
                w.WriteString("destination"u8, m.Destination);
                Str(w, "type"u8, m.Type);
                Str(w, "source"u8, m.Source);
                Strings(w, "options"u8, m.Options);
                IdMappings(w, "uidMappings"u8, m.UidMappings);
                IdMappings(w, "gidMappings"u8, m.GidMappings);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (s.Hooks is { } h)
        {
            w.WriteStartObject("hooks"u8);
            Hooks(w, "prestart"u8, h.Prestart);
            Hooks(w, "createRuntime"u8, h.CreateRuntime);
            Hooks(w, "createContainer"u8, h.CreateContainer);
            Hooks(w, "startContainer"u8, h.StartContainer);
            Hooks(w, "poststart"u8, h.Poststart);
            Hooks(w, "poststop"u8, h.Poststop);
            w.WriteEndObject();
        }
        StringMap(w, "annotations"u8, s.Annotations);
        if (s.Linux is { } l) Write(w, l);
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, Process p)
    {
        w.WriteStartObject();
        if (p.Terminal) w.WriteBoolean("terminal"u8, true);
        if (p.ConsoleSize is { } box)
        {
            w.WriteStartObject("consoleSize"u8);
            w.WriteNumber("height"u8, box.Height);
            w.WriteNumber("width"u8, box.Width);
            w.WriteEndObject();
        }
        w.WriteStartObject("user"u8);
        w.WriteNumber("uid"u8, p.User.Uid);
        w.WriteNumber("gid"u8, p.User.Gid);
        if (p.User.Umask is { } umask) w.WriteNumber("umask"u8, umask);
        if (p.User.AdditionalGids is { } gids)
        {
            w.WriteStartArray("additionalGids"u8);
            foreach (var g in gids) w.WriteNumberValue(g);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        Strings(w, "args"u8, p.Args);
        Strings(w, "env"u8, p.Env);
        w.WriteString("cwd"u8, p.Cwd);
        if (p.Capabilities is { } c)
        {
            w.WriteStartObject("capabilities"u8);
            Strings(w, "bounding"u8, c.Bounding);
            Strings(w, "effective"u8, c.Effective);
            Strings(w, "inheritable"u8, c.Inheritable);
            Strings(w, "permitted"u8, c.Permitted);
            Strings(w, "ambient"u8, c.Ambient);
            w.WriteEndObject();
        }
        if (p.Rlimits is { } rl)
        {
            w.WriteStartArray("rlimits"u8);
            foreach (var r in rl)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, r.Type);
                w.WriteNumber("hard"u8, r.Hard);
                w.WriteNumber("soft"u8, r.Soft);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (p.NoNewPrivileges) w.WriteBoolean("noNewPrivileges"u8, true);
        Str(w, "apparmorProfile"u8, p.ApparmorProfile);
        if (p.OomScoreAdj is { } oom) w.WriteNumber("oomScoreAdj"u8, oom);
        if (p.Scheduler is { } s)
        {
            w.WriteStartObject("scheduler"u8);
            w.WriteString("policy"u8, s.Policy);
            if (s.Nice != 0) w.WriteNumber("nice"u8, s.Nice);
            if (s.Priority != 0) w.WriteNumber("priority"u8, s.Priority);
            Strings(w, "flags"u8, s.Flags);
            if (s.Runtime != 0) w.WriteNumber("runtime"u8, s.Runtime);
            if (s.Deadline != 0) w.WriteNumber("deadline"u8, s.Deadline);
            if (s.Period != 0) w.WriteNumber("period"u8, s.Period);
            w.WriteEndObject();
        }
        Str(w, "selinuxLabel"u8, p.SelinuxLabel);
        if (p.IOPriority is { } io)
        {
            w.WriteStartObject("ioPriority"u8);
            w.WriteString("class"u8, io.Class);
            w.WriteNumber("priority"u8, io.Priority);
            w.WriteEndObject();
        }
        if (p.ExecCpuAffinity is { } aff)
        {
            w.WriteStartObject("execCPUAffinity"u8);
            Str(w, "initial"u8, aff.Initial);
            Str(w, "final"u8, aff.Final);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, Linux l)
    {
        w.WriteStartObject("linux"u8);
        IdMappings(w, "uidMappings"u8, l.UidMappings);
        IdMappings(w, "gidMappings"u8, l.GidMappings);
        StringMap(w, "sysctl"u8, l.Sysctl);
        if (l.Resources is { } res) { w.WritePropertyName("resources"u8); Write(w, res); }
        Str(w, "cgroupsPath"u8, l.CgroupsPath);
        if (l.Namespaces is { } nss)
        {
            w.WriteStartArray("namespaces"u8);
            foreach (var ns in nss)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, ns.Type);
                Str(w, "path"u8, ns.Path);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (l.Devices is { } devs)
        {
            w.WriteStartArray("devices"u8);
            foreach (var d in devs)
            {
                w.WriteStartObject();
                w.WriteString("path"u8, d.Path);
                w.WriteString("type"u8, d.Type);
                w.WriteNumber("major"u8, d.Major);
                w.WriteNumber("minor"u8, d.Minor);
                if (d.FileMode is { } mode) w.WriteNumber("fileMode"u8, mode);
                if (d.Uid is { } uid) w.WriteNumber("uid"u8, uid);
                if (d.Gid is { } gid) w.WriteNumber("gid"u8, gid);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (l.NetDevices is { } net)
        {
            w.WriteStartObject("netDevices"u8);
            foreach (var (name, dev) in net)
            {
                w.WriteStartObject(name);
                Str(w, "name"u8, dev.Name);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        if (l.Seccomp is { } sc) { w.WritePropertyName("seccomp"u8); Write(w, sc); }
        Str(w, "rootfsPropagation"u8, l.RootfsPropagation);
        Strings(w, "maskedPaths"u8, l.MaskedPaths);
        Strings(w, "readonlyPaths"u8, l.ReadonlyPaths);
        Str(w, "mountLabel"u8, l.MountLabel);
        if (l.IntelRdt is { } rdt)
        {
            w.WriteStartObject("intelRdt"u8);
            Str(w, "closID"u8, rdt.ClosId);
            Strings(w, "schemata"u8, rdt.Schemata);
            Str(w, "l3CacheSchema"u8, rdt.L3CacheSchema);
            Str(w, "memBwSchema"u8, rdt.MemBwSchema);
            if (rdt.EnableMonitoring) w.WriteBoolean("enableMonitoring"u8, true);
            w.WriteEndObject();
        }
        if (l.MemoryPolicy is { } mp)
        {
            w.WriteStartObject("memoryPolicy"u8);
            w.WriteString("mode"u8, mp.Mode);
            Str(w, "nodes"u8, mp.Nodes);
            Strings(w, "flags"u8, mp.Flags);
            w.WriteEndObject();
        }
        if (l.Personality is { } pers)
        {
            w.WriteStartObject("personality"u8);
            w.WriteString("domain"u8, pers.Domain);
            Strings(w, "flags"u8, pers.Flags);
            w.WriteEndObject();
        }
        if (l.TimeOffsets is { } offsets)
        {
            w.WriteStartObject("timeOffsets"u8);
            foreach (var (clock, off) in offsets)
            {
                w.WriteStartObject(clock);
                if (off.Secs != 0) w.WriteNumber("secs"u8, off.Secs);
                if (off.Nanosecs != 0) w.WriteNumber("nanosecs"u8, off.Nanosecs);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, LinuxSeccomp sc)
    {
        w.WriteStartObject();
        w.WriteString("defaultAction"u8, sc.DefaultAction);
        if (sc.DefaultErrnoRet is { } der) w.WriteNumber("defaultErrnoRet"u8, der);
        Strings(w, "architectures"u8, sc.Architectures);
        Strings(w, "flags"u8, sc.Flags);
        Str(w, "listenerPath"u8, sc.ListenerPath);
        Str(w, "listenerMetadata"u8, sc.ListenerMetadata);
        if (sc.Syscalls is { } calls)
        {
            w.WriteStartArray("syscalls"u8);
            foreach (var call in calls)
            {
                w.WriteStartObject();
                Strings(w, "names"u8, call.Names);
                w.WriteString("action"u8, call.Action);
                if (call.ErrnoRet is { } er) w.WriteNumber("errnoRet"u8, er);
                if (call.Args is { } args)
                {
                    w.WriteStartArray("args"u8);
                    foreach (var a in args)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("index"u8, a.Index);
                        w.WriteNumber("value"u8, a.Value);
                        if (a.ValueTwo != 0) w.WriteNumber("valueTwo"u8, a.ValueTwo);
                        w.WriteString("op"u8, a.Op);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, LinuxResources r)
    {
        w.WriteStartObject();
        if (r.Devices is { } devs)
        {
            w.WriteStartArray("devices"u8);
            foreach (var d in devs)
            {
                w.WriteStartObject();
                w.WriteBoolean("allow"u8, d.Allow);
                Str(w, "type"u8, d.Type);
                if (d.Major is { } major) w.WriteNumber("major"u8, major);
                if (d.Minor is { } minor) w.WriteNumber("minor"u8, minor);
                Str(w, "access"u8, d.Access);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (r.Memory is { } m)
        {
            w.WriteStartObject("memory"u8);
            Num(w, "limit"u8, m.Limit);
            Num(w, "reservation"u8, m.Reservation);
            Num(w, "swap"u8, m.Swap);
            Num(w, "kernel"u8, m.Kernel);
            Num(w, "kernelTCP"u8, m.KernelTcp);
            if (m.Swappiness is { } sw) w.WriteNumber("swappiness"u8, sw);
            Bool(w, "disableOOMKiller"u8, m.DisableOomKiller);
            Bool(w, "useHierarchy"u8, m.UseHierarchy);
            Bool(w, "checkBeforeUpdate"u8, m.CheckBeforeUpdate);
            w.WriteEndObject();
        }
        if (r.Cpu is { } c)
        {
            w.WriteStartObject("cpu"u8);
            if (c.Shares is { } shares) w.WriteNumber("shares"u8, shares);
            Num(w, "quota"u8, c.Quota);
            if (c.Burst is { } burst) w.WriteNumber("burst"u8, burst);
            if (c.Period is { } period) w.WriteNumber("period"u8, period);
            Num(w, "realtimeRuntime"u8, c.RealtimeRuntime);
            if (c.RealtimePeriod is { } rtp) w.WriteNumber("realtimePeriod"u8, rtp);
            Str(w, "cpus"u8, c.Cpus);
            Str(w, "mems"u8, c.Mems);
            Num(w, "idle"u8, c.Idle);
            w.WriteEndObject();
        }
        if (r.Pids is { } pids)
        {
            w.WriteStartObject("pids"u8);
            w.WriteNumber("limit"u8, pids.Limit);
            w.WriteEndObject();
        }
        if (r.BlockIO is { } b)
        {
            w.WriteStartObject("blockIO"u8);
            if (b.Weight is { } weight) w.WriteNumber("weight"u8, weight);
            if (b.LeafWeight is { } lw) w.WriteNumber("leafWeight"u8, lw);
            if (b.WeightDevice is { } wd)
            {
                w.WriteStartArray("weightDevice"u8);
                foreach (var d in wd)
                {
                    w.WriteStartObject();
                    w.WriteNumber("major"u8, d.Major);
                    w.WriteNumber("minor"u8, d.Minor);
                    if (d.Weight is { } dw) w.WriteNumber("weight"u8, dw);
                    if (d.LeafWeight is { } dlw) w.WriteNumber("leafWeight"u8, dlw);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            Throttle(w, "throttleReadBpsDevice"u8, b.ThrottleReadBpsDevice);
            Throttle(w, "throttleWriteBpsDevice"u8, b.ThrottleWriteBpsDevice);
            Throttle(w, "throttleReadIOPSDevice"u8, b.ThrottleReadIopsDevice);
            Throttle(w, "throttleWriteIOPSDevice"u8, b.ThrottleWriteIopsDevice);
            w.WriteEndObject();
        }
        if (r.HugepageLimits is { } hp)
        {
            w.WriteStartArray("hugepageLimits"u8);
            foreach (var h in hp)
            {
                w.WriteStartObject();
                w.WriteString("pageSize"u8, h.PageSize);
                w.WriteNumber("limit"u8, h.Limit);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (r.Network is { } n)
        {
            w.WriteStartObject("network"u8);
            if (n.ClassId is { } cls) w.WriteNumber("classID"u8, cls);
            if (n.Priorities is { } prios)
            {
                w.WriteStartArray("priorities"u8);
                foreach (var pr in prios)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, pr.Name);
                    w.WriteNumber("priority"u8, pr.Priority);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        if (r.Rdma is { } rdma)
        {
            w.WriteStartObject("rdma"u8);
            foreach (var (dev, lim) in rdma)
            {
                w.WriteStartObject(dev);
                if (lim.HcaHandles is { } hh) w.WriteNumber("hcaHandles"u8, hh);
                if (lim.HcaObjects is { } ho) w.WriteNumber("hcaObjects"u8, ho);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        StringMap(w, "unified"u8, r.Unified);
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, ContainerState s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion"u8, s.OciVersion);
        w.WriteString("id"u8, s.Id);
        w.WriteNumber("pid"u8, s.Pid);
        w.WriteString("status"u8, s.Status);
        w.WriteString("bundle"u8, s.Bundle);
        w.WriteString("rootfs"u8, s.Rootfs);
        w.WriteString("created"u8, Rfc3339NanoConverter.Format(s.Created));
        StringMap(w, "annotations"u8, s.Annotations);
        w.WriteString("owner"u8, s.Owner);
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, OciState s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion"u8, s.OciVersion);
        w.WriteString("id"u8, s.Id);
        w.WriteString("status"u8, s.Status);
        if (s.Pid != 0) w.WriteNumber("pid"u8, s.Pid);
        w.WriteString("bundle"u8, s.Bundle);
        StringMap(w, "annotations"u8, s.Annotations);
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, ContainerProcessState s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion"u8, s.OciVersion);
        Strings(w, "fds"u8, s.Fds);
        w.WriteNumber("pid"u8, s.Pid);
        Str(w, "metadata"u8, s.Metadata);
        w.WritePropertyName("state"u8);
        Write(w, s.State);
        w.WriteEndObject();
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static void Str(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
    }

    private static void Bool(Utf8JsonWriter w, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } v) w.WriteBoolean(name, v);
    }

    private static void Strings(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<string>? list)
    {
        if (list is null) return;
        w.WriteStartArray(name);
        foreach (var s in list) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    private static void StringMap(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, string>? map)
    {
        if (map is null) return;
        w.WriteStartObject(name);
        foreach (var (k, v) in map) w.WriteString(k, v);
        w.WriteEndObject();
    }

    private static void IdMappings(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<LinuxIdMapping>? maps)
    {
        if (maps is null) return;
        w.WriteStartArray(name);
        foreach (var m in maps)
        {
            w.WriteStartObject();
            w.WriteNumber("containerID"u8, m.ContainerId);
            w.WriteNumber("hostID"u8, m.HostId);
            w.WriteNumber("size"u8, m.Size);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Hooks(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<Hook>? hooks)
    {
        if (hooks is null) return;
        w.WriteStartArray(name);
        foreach (var h in hooks)
        {
            w.WriteStartObject();
            w.WriteString("path"u8, h.Path);
            Strings(w, "args"u8, h.Args);
            Strings(w, "env"u8, h.Env);
            if (h.Timeout is { } t) w.WriteNumber("timeout"u8, t);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Throttle(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<LinuxThrottleDevice>? devs)
    {
        if (devs is null) return;
        w.WriteStartArray(name);
        foreach (var d in devs)
        {
            w.WriteStartObject();
            w.WriteNumber("major"u8, d.Major);
            w.WriteNumber("minor"u8, d.Minor);
            w.WriteNumber("rate"u8, d.Rate);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
