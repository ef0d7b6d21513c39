using System.Text.Json;

namespace NRunc.Spec;

// One reader per model type; member names and types mirror Model/*.cs exactly.
internal static partial class SpecReader
{
    internal static Spec? ReadSpec(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Spec();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "ociVersion": o.OciVersion = Str(ref r) ?? ""; break;
                    case "process": o.Process = ReadProcess(ref r); break;
                    case "root": o.Root = ReadRoot(ref r); break;
                    case "hostname": o.Hostname = Str(ref r); break;
                    case "domainname": o.Domainname = Str(ref r); break;
                    case "mounts": o.Mounts = List(ref r, ReadMount); break;
                    case "hooks": o.Hooks = ReadHooks(ref r); break;
                    case "annotations": o.Annotations = StringMap(ref r); break;
                    case "linux": o.Linux = ReadLinux(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    internal static Process? ReadProcess(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Process();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "terminal": o.Terminal = Bool(ref r) ?? false; break;
                    case "consoleSize": o.ConsoleSize = ReadBox(ref r); break;
                    case "user": o.User = ReadUser(ref r) ?? o.User; break;
                    case "args": o.Args = Strings(ref r); break;
                    case "env": o.Env = Strings(ref r); break;
                    case "cwd": o.Cwd = Str(ref r) ?? ""; break;
                    case "capabilities": o.Capabilities = ReadCapabilities(ref r); break;
                    case "rlimits": o.Rlimits = List(ref r, ReadRlimit); break;
                    case "noNewPrivileges": o.NoNewPrivileges = Bool(ref r) ?? false; break;
                    case "apparmorProfile": o.ApparmorProfile = Str(ref r); break;
                    case "oomScoreAdj": o.OomScoreAdj = I32(ref r); break;
                    case "scheduler": o.Scheduler = ReadScheduler(ref r); break;
                    case "selinuxLabel": o.SelinuxLabel = Str(ref r); break;
                    case "ioPriority": o.IOPriority = ReadIOPriority(ref r); break;
                    case "execCPUAffinity": o.ExecCpuAffinity = ReadCpuAffinity(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static Box? ReadBox(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Box();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "height": o.Height = U32(ref r) ?? 0; break;
                    case "width": o.Width = U32(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static User? ReadUser(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new User();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "uid": o.Uid = U32(ref r) ?? 0; break;
                    case "gid": o.Gid = U32(ref r) ?? 0; break;
                    case "umask": o.Umask = U32(ref r); break;
                    case "additionalGids": o.AdditionalGids = U32s(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxCapabilities? ReadCapabilities(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxCapabilities();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "bounding": o.Bounding = Strings(ref r); break;
                    case "effective": o.Effective = Strings(ref r); break;
                    case "inheritable": o.Inheritable = Strings(ref r); break;
                    case "permitted": o.Permitted = Strings(ref r); break;
                    case "ambient": o.Ambient = Strings(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static PosixRlimit? ReadRlimit(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new PosixRlimit();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "type": o.Type = Str(ref r) ?? ""; break;
                    case "hard": o.Hard = U64(ref r) ?? 0; break;
                    case "soft": o.Soft = U64(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static Scheduler? ReadScheduler(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Scheduler();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "policy": o.Policy = Str(ref r) ?? ""; break;
                    case "nice": o.Nice = I32(ref r) ?? 0; break;
                    case "priority": o.Priority = I32(ref r) ?? 0; break;
                    case "flags": o.Flags = Strings(ref r); break;
                    case "runtime": o.Runtime = U64(ref r) ?? 0; break;
                    case "deadline": o.Deadline = U64(ref r) ?? 0; break;
                    case "period": o.Period = U64(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxIOPriority? ReadIOPriority(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxIOPriority();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "class": o.Class = Str(ref r) ?? ""; break;
                    case "priority": o.Priority = I32(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static CpuAffinity? ReadCpuAffinity(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new CpuAffinity();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "initial": o.Initial = Str(ref r); break;
                    case "final": o.Final = Str(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static Root? ReadRoot(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Root();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "path": o.Path = Str(ref r) ?? ""; break;
                    case "readonly": o.Readonly = Bool(ref r) ?? false; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static Mount? ReadMount(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Mount();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "destination": o.Destination = Str(ref r) ?? ""; break;
                    case "type": o.Type = Str(ref r); break;
                    case "source": o.Source = Str(ref r); break;
                    case "options": o.Options = Strings(ref r); break;
                    case "uidMappings": o.UidMappings = List(ref r, ReadIdMapping); break;
                    case "gidMappings": o.GidMappings = List(ref r, ReadIdMapping); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static Hook? ReadHook(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Hook();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "path": o.Path = Str(ref r) ?? ""; break;
                    case "args": o.Args = Strings(ref r); break;
                    case "env": o.Env = Strings(ref r); break;
                    case "timeout": o.Timeout = I32(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static Hooks? ReadHooks(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Hooks();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "prestart": o.Prestart = List(ref r, ReadHook); break;
                    case "createRuntime": o.CreateRuntime = List(ref r, ReadHook); break;
                    case "createContainer": o.CreateContainer = List(ref r, ReadHook); break;
                    case "startContainer": o.StartContainer = List(ref r, ReadHook); break;
                    case "poststart": o.Poststart = List(ref r, ReadHook); break;
                    case "poststop": o.Poststop = List(ref r, ReadHook); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxIdMapping? ReadIdMapping(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxIdMapping();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "containerID": o.ContainerId = U32(ref r) ?? 0; break;
                    case "hostID": o.HostId = U32(ref r) ?? 0; break;
                    case "size": o.Size = U32(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    // --- linux -----------------------------------------------------------------------------------

    private static Linux? ReadLinux(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new Linux();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "uidMappings": o.UidMappings = List(ref r, ReadIdMapping); break;
                    case "gidMappings": o.GidMappings = List(ref r, ReadIdMapping); break;
                    case "sysctl": o.Sysctl = StringMap(ref r); break;
                    case "resources": o.Resources = ReadResources(ref r); break;
                    case "cgroupsPath": o.CgroupsPath = Str(ref r); break;
                    case "namespaces": o.Namespaces = List(ref r, ReadNamespace); break;
                    case "devices": o.Devices = List(ref r, ReadDevice); break;
                    case "netDevices": o.NetDevices = Map(ref r, ReadNetDevice); break;
                    case "seccomp": o.Seccomp = ReadSeccomp(ref r); break;
                    case "rootfsPropagation": o.RootfsPropagation = Str(ref r); break;
                    case "maskedPaths": o.MaskedPaths = Strings(ref r); break;
                    case "readonlyPaths": o.ReadonlyPaths = Strings(ref r); break;
                    case "mountLabel": o.MountLabel = Str(ref r); break;
                    case "intelRdt": o.IntelRdt = ReadIntelRdt(ref r); break;
                    case "memoryPolicy": o.MemoryPolicy = ReadMemoryPolicy(ref r); break;
                    case "personality": o.Personality = ReadPersonality(ref r); break;
                    case "timeOffsets": o.TimeOffsets = Map(ref r, ReadTimeOffset); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxNamespace? ReadNamespace(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxNamespace();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "type": o.Type = Str(ref r) ?? ""; break;
                    case "path": o.Path = Str(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxDevice? ReadDevice(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxDevice();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "path": o.Path = Str(ref r) ?? ""; break;
                    case "type": o.Type = Str(ref r) ?? ""; break;
                    case "major": o.Major = I64(ref r) ?? 0; break;
                    case "minor": o.Minor = I64(ref r) ?? 0; break;
                    case "fileMode": o.FileMode = U32(ref r); break;
                    case "uid": o.Uid = U32(ref r); break;
                    case "gid": o.Gid = U32(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxNetDevice? ReadNetDevice(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxNetDevice();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "name": o.Name = Str(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxTimeOffset? ReadTimeOffset(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxTimeOffset();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "secs": o.Secs = I64(ref r) ?? 0; break;
                    case "nanosecs": o.Nanosecs = U32(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxPersonality? ReadPersonality(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxPersonality();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "domain": o.Domain = Str(ref r) ?? ""; break;
                    case "flags": o.Flags = Strings(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxIntelRdt? ReadIntelRdt(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxIntelRdt();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "closID": o.ClosId = Str(ref r); break;
                    case "schemata": o.Schemata = Strings(ref r); break;
                    case "l3CacheSchema": o.L3CacheSchema = Str(ref r); break;
                    case "memBwSchema": o.MemBwSchema = Str(ref r); break;
                    case "enableMonitoring": o.EnableMonitoring = Bool(ref r) ?? false; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxMemoryPolicy? ReadMemoryPolicy(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxMemoryPolicy();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "mode": o.Mode = Str(ref r) ?? ""; break;
                    case "nodes": o.Nodes = Str(ref r); break;
                    case "flags": o.Flags = Strings(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    internal static LinuxSeccomp? ReadSeccomp(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxSeccomp();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "defaultAction": o.DefaultAction = Str(ref r) ?? ""; break;
                    case "defaultErrnoRet": o.DefaultErrnoRet = U32(ref r); break;
                    case "architectures": o.Architectures = Strings(ref r); break;
                    case "flags": o.Flags = Strings(ref r); break;
                    case "listenerPath": o.ListenerPath = Str(ref r); break;
                    case "listenerMetadata": o.ListenerMetadata = Str(ref r); break;
                    case "syscalls": o.Syscalls = List(ref r, ReadSyscall); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxSyscall? ReadSyscall(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxSyscall();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "names": o.Names = Strings(ref r) ?? new(); break;
                    case "action": o.Action = Str(ref r) ?? ""; break;
                    case "errnoRet": o.ErrnoRet = U32(ref r); break;
                    case "args": o.Args = List(ref r, ReadSeccompArg); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxSeccompArg? ReadSeccompArg(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxSeccompArg();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "index": o.Index = U32(ref r) ?? 0; break;
                    case "value": o.Value = U64(ref r) ?? 0; break;
                    case "valueTwo": o.ValueTwo = U64(ref r) ?? 0; break;
                    case "op": o.Op = Str(ref r) ?? ""; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    // --- linux.resources -------------------------------------------------------------------------

    internal static LinuxResources? ReadResources(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxResources();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "devices": o.Devices = List(ref r, ReadDeviceCgroup); break;
                    case "memory": o.Memory = ReadMemory(ref r); break;
                    case "cpu": o.Cpu = ReadCpu(ref r); break;
                    case "pids": o.Pids = ReadPids(ref r); break;
                    case "blockIO": o.BlockIO = ReadBlockIO(ref r); break;
                    case "hugepageLimits": o.HugepageLimits = List(ref r, ReadHugepageLimit); break;
                    case "network": o.Network = ReadNetwork(ref r); break;
                    case "rdma": o.Rdma = Map(ref r, ReadRdma); break;
                    case "unified": o.Unified = StringMap(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxDeviceCgroup? ReadDeviceCgroup(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxDeviceCgroup();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "allow": o.Allow = Bool(ref r) ?? false; break;
                    case "type": o.Type = Str(ref r); break;
                    case "major": o.Major = I64(ref r); break;
                    case "minor": o.Minor = I64(ref r); break;
                    case "access": o.Access = Str(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxMemory? ReadMemory(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxMemory();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "limit": o.Limit = I64(ref r); break;
                    case "reservation": o.Reservation = I64(ref r); break;
                    case "swap": o.Swap = I64(ref r); break;
                    case "kernel": o.Kernel = I64(ref r); break;
                    case "kernelTCP": o.KernelTcp = I64(ref r); break;
                    case "swappiness": o.Swappiness = U64(ref r); break;
                    case "disableOOMKiller": o.DisableOomKiller = Bool(ref r); break;
                    case "useHierarchy": o.UseHierarchy = Bool(ref r); break;
                    case "checkBeforeUpdate": o.CheckBeforeUpdate = Bool(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxCpu? ReadCpu(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxCpu();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "shares": o.Shares = U64(ref r); break;
                    case "quota": o.Quota = I64(ref r); break;
                    case "burst": o.Burst = U64(ref r); break;
                    case "period": o.Period = U64(ref r); break;
                    case "realtimeRuntime": o.RealtimeRuntime = I64(ref r); break;
                    case "realtimePeriod": o.RealtimePeriod = U64(ref r); break;
                    case "cpus": o.Cpus = Str(ref r); break;
                    case "mems": o.Mems = Str(ref r); break;
                    case "idle": o.Idle = I64(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxPids? ReadPids(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxPids();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "limit": o.Limit = I64(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxBlockIO? ReadBlockIO(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxBlockIO();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "weight": o.Weight = U16(ref r); break;
                    case "leafWeight": o.LeafWeight = U16(ref r); break;
                    case "weightDevice": o.WeightDevice = List(ref r, ReadWeightDevice); break;
                    case "throttleReadBpsDevice": o.ThrottleReadBpsDevice = List(ref r, ReadThrottleDevice); break;
                    case "throttleWriteBpsDevice": o.ThrottleWriteBpsDevice = List(ref r, ReadThrottleDevice); break;
                    case "throttleReadIOPSDevice": o.ThrottleReadIopsDevice = List(ref r, ReadThrottleDevice); break;
                    case "throttleWriteIOPSDevice": o.ThrottleWriteIopsDevice = List(ref r, ReadThrottleDevice); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxWeightDevice? ReadWeightDevice(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxWeightDevice();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "major": o.Major = I64(ref r) ?? 0; break;
                    case "minor": o.Minor = I64(ref r) ?? 0; break;
                    case "weight": o.Weight = U16(ref r); break;
                    case "leafWeight": o.LeafWeight = U16(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxThrottleDevice? ReadThrottleDevice(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxThrottleDevice();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "major": o.Major = I64(ref r) ?? 0; break;
                    case "minor": o.Minor = I64(ref r) ?? 0; break;
                    case "rate": o.Rate = U64(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxHugepageLimit? ReadHugepageLimit(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxHugepageLimit();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "pageSize": o.PageSize = Str(ref r) ?? ""; break;
                    case "limit": o.Limit = U64(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxNetwork? ReadNetwork(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxNetwork();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "classID": o.ClassId = U32(ref r); break;
                    case "priorities": o.Priorities = List(ref r, ReadInterfacePriority); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxInterfacePriority? ReadInterfacePriority(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxInterfacePriority();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "name": o.Name = Str(ref r) ?? ""; break;
                    case "priority": o.Priority = U32(ref r) ?? 0; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }

    private static LinuxRdma? ReadRdma(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new LinuxRdma();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "hcaHandles": o.HcaHandles = U32(ref r); break;
                    case "hcaObjects": o.HcaObjects = U32(ref r); break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }
}

internal static partial class SpecReader
{
    internal static ContainerState? ReadState(ref Utf8JsonReader r)
    {
        if (!Obj(ref r)) return null;
        var o = new ContainerState();
        string n = "";
        try
        {
            while (Next(ref r, out n))
                switch (n)
                {
                    case "ociVersion": o.OciVersion = Str(ref r) ?? ""; break;
                    case "id": o.Id = Str(ref r) ?? ""; break;
                    case "pid": o.Pid = I32(ref r) ?? 0; break;
                    case "status": o.Status = Str(ref r) ?? ""; break;
                    case "bundle": o.Bundle = Str(ref r) ?? ""; break;
                    case "rootfs": o.Rootfs = Str(ref r) ?? ""; break;
                    case "created":
                        if (Str(ref r) is { } ts)
                            o.Created = Rfc3339NanoConverter.TryParse(ts, out var t) ? t : throw Mismatch(ref r, "an RFC 3339 timestamp");
                        break;
                    case "annotations": o.Annotations = StringMap(ref r); break;
                    case "owner": o.Owner = Str(ref r) ?? ""; break;
                    default: r.Skip(); break;
                }
        }
        catch (ReadError e) { throw At(e, n); }
        return o;
    }
}
