namespace NRunc.Spec;

/// <summary>
/// Checks a parsed config.json the way runc (and the runtime-spec's MUSTs) would, stopping at the
/// first problem with a <see cref="SpecException"/> that names the JSON path, the value and what
/// was expected. Checks run in document order so the reported error is the first one in the file.
/// </summary>
public static class SpecValidator
{
    /// <param name="requireProcess">true for create/run: runc refuses a config without `process`.</param>
    public static void Validate(Spec spec, bool requireProcess = true, string fileName = "config.json")
        => new Checker(fileName).Spec(spec, requireProcess);

    private sealed class Checker(string fileName)
    {
        private SpecException Fail(string path, string detail) => new(fileName, path, detail);

        private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static string OneOf(IEnumerable<string> names) => "expected one of: " + string.Join(", ", names);

        private void Known(string path, string what, string value, string[] names)
        {
            if (Array.IndexOf(names, value) < 0)
                throw Fail(path, value.Length == 0 ? $"{what} is required ({OneOf(names)})" : $"unknown {what} {Q(value)} ({OneOf(names)})");
        }

        /// <summary>The S_IFMT bits of a linux.devices type: S_IFCHR for c and u, S_IFBLK for b, S_IFIFO for p.</summary>
        private static uint DeviceTypeBits(string type) => type switch { "c" or "u" => 0x2000u, "b" => 0x6000u, "p" => 0x1000u, _ => 0u };

        private void Absolute(string path, string value, string what = "path")
        {
            if (value.Length == 0) throw Fail(path, $"{what} is required");
            if (value[0] != '/') throw Fail(path, $"{what} must be absolute, got {Q(value)}");
        }

        public void Spec(Spec spec, bool requireProcess)
        {
            if (string.IsNullOrEmpty(spec.OciVersion)) throw Fail("ociVersion", "required (for example \"1.3.0\")");
            if (spec.Process is { } p) Process(p);
            else if (requireProcess) throw Fail("process", "required (create needs a process to run)");
            if (spec.Root is null) throw Fail("root", "required (root.path names the container's root filesystem)");
            if (string.IsNullOrEmpty(spec.Root.Path)) throw Fail("root.path", "required (the container's root filesystem)");
            if (spec.Hostname is { Length: > 0 } && spec.Linux is { } l && !HasNamespace(l, NamespaceTypes.Uts))
                throw Fail("hostname", "cannot set the hostname without a uts namespace in linux.namespaces");
            if (spec.Domainname is { Length: > 0 } && spec.Linux is { } l2 && !HasNamespace(l2, NamespaceTypes.Uts))
                throw Fail("domainname", "cannot set the domainname without a uts namespace in linux.namespaces");
            if (spec.Mounts is { } mounts)
                for (int i = 0; i < mounts.Count; i++) Mount($"mounts[{i}]", mounts[i]);
            if (spec.Hooks is { } hooks) Hooks(hooks);
            if (spec.Linux is { } linux) Linux(linux);
        }

        private static bool HasNamespace(Linux linux, string type)
        {
            if (linux.Namespaces is null) return false;
            foreach (var ns in linux.Namespaces)
                if (ns.Type == type) return true;
            return false;
        }

        private void Process(Process p)
        {
            if (p.Cwd.Length == 0) throw Fail("process.cwd", "required (an absolute path inside the container)");
            if (p.Cwd[0] != '/') throw Fail("process.cwd", $"must be an absolute path, got {Q(p.Cwd)}");
            if (p.Args is null || p.Args.Count == 0) throw Fail("process.args", "must not be empty");
            for (int i = 0; i < p.Args.Count; i++)
                if (p.Args[i].Contains('\0')) throw Fail($"process.args[{i}]", "must not contain a NUL character");
            if (p.Env is { } env)
                for (int i = 0; i < env.Count; i++)
                {
                    int eq = env[i].IndexOf('=');
                    if (eq < 0) throw Fail($"process.env[{i}]", $"invalid environment variable {Q(env[i])} (expected NAME=value)");
                    if (eq == 0) throw Fail($"process.env[{i}]", $"environment variable name can't be empty: {Q(env[i])}");
                    if (env[i].Contains('\0')) throw Fail($"process.env[{i}]", "must not contain a NUL character");
                }
            // Unknown capability names are not checked here: config.md says they MUST be logged as a warning and the
            // runtime SHOULD NOT fail (runc and crun go on); CapabilitySets reports them when the process is set up.
            if (p.Rlimits is { } rl)
            {
                for (int i = 0; i < rl.Count; i++)
                {
                    var r = rl[i];
                    string path = $"process.rlimits[{i}]";
                    if (Rlimits.Parse(r.Type) < 0)
                        throw Fail(path + ".type", r.Type.Length == 0 ? "required" : $"unknown rlimit {Q(r.Type)} ({OneOf(Rlimits.Names)})");
                    for (int j = 0; j < i; j++)
                        if (rl[j].Type == r.Type) throw Fail(path + ".type", $"duplicate rlimit {Q(r.Type)} (also at process.rlimits[{j}])");
                    if (r.Soft > r.Hard) throw Fail(path, $"soft limit {r.Soft} exceeds hard limit {r.Hard}");
                }
            }
            if (p.OomScoreAdj is { } oom && (oom < -1000 || oom > 1000))
                throw Fail("process.oomScoreAdj", $"must be between -1000 and 1000, got {oom}");
            if (p.Scheduler is { } s)
            {
                Known("process.scheduler.policy", "scheduler policy", s.Policy, SpecNames.SchedulerPolicies);
                if (s.Nice < -20 || s.Nice > 19) throw Fail("process.scheduler.nice", $"must be between -20 and 19, got {s.Nice}");
                if (s.Flags is { } f)
                    for (int i = 0; i < f.Count; i++) Known($"process.scheduler.flags[{i}]", "scheduler flag", f[i], SpecNames.SchedulerFlags);
            }
            if (p.IOPriority is { } io)
            {
                Known("process.ioPriority.class", "I/O priority class", io.Class, SpecNames.IOPriorityClasses);
                if (io.Priority < 0 || io.Priority > 7) throw Fail("process.ioPriority.priority", $"must be between 0 and 7, got {io.Priority}");
            }
            if (p.ExecCpuAffinity is { } aff)
            {
                CpuList("process.execCPUAffinity.initial", aff.Initial);
                CpuList("process.execCPUAffinity.final", aff.Final);
            }
        }

        private void CpuList(string path, string? list)
        {
            if (list is null) return;
            foreach (char c in list)
                if (!(char.IsAsciiDigit(c) || c is ',' or '-' or ' '))
                    throw Fail(path, $"invalid CPU list {Q(list)} (expected a list such as \"0-3,7\")");
        }

        private void Mount(string path, Mount m)
        {
            // Linux: a relative destination is kept for old configs and taken as relative to "/" (config.md)
            if (m.Destination.Length == 0) throw Fail(path + ".destination", "destination is required");
            if (m.Destination[0] != '/') m.Destination = "/" + m.Destination;
            IdMappings(path + ".uidMappings", m.UidMappings);
            IdMappings(path + ".gidMappings", m.GidMappings);
            if ((m.UidMappings is null) != (m.GidMappings is null))
                throw Fail(path, "an id-mapped mount needs both uidMappings and gidMappings");
        }

        private void IdMappings(string path, List<LinuxIdMapping>? maps)
        {
            if (maps is null) return;
            for (int i = 0; i < maps.Count; i++)
            {
                var m = maps[i];
                if (m.Size == 0) throw Fail($"{path}[{i}].size", "must be greater than zero");
                if ((ulong)m.ContainerId + m.Size > 1UL << 32 || (ulong)m.HostId + m.Size > 1UL << 32)
                    throw Fail($"{path}[{i}]", "mapping range exceeds the 32-bit id space");
            }
        }

        private void Hooks(Hooks h)
        {
            HookList("hooks.prestart", h.Prestart);
            HookList("hooks.createRuntime", h.CreateRuntime);
            HookList("hooks.createContainer", h.CreateContainer);
            HookList("hooks.startContainer", h.StartContainer);
            HookList("hooks.poststart", h.Poststart);
            HookList("hooks.poststop", h.Poststop);
        }

        private void HookList(string path, List<Hook>? hooks)
        {
            if (hooks is null) return;
            for (int i = 0; i < hooks.Count; i++)
            {
                Absolute($"{path}[{i}].path", hooks[i].Path);
                if (hooks[i].Timeout is { } t && t <= 0) throw Fail($"{path}[{i}].timeout", $"must be greater than zero, got {t}");
            }
        }

        private void Linux(Linux l)
        {
            IdMappings("linux.uidMappings", l.UidMappings);
            IdMappings("linux.gidMappings", l.GidMappings);
            if (l.Sysctl is { } sysctl)
                foreach (var key in sysctl.Keys)
                    if (key.Length == 0) throw Fail("linux.sysctl", "sysctl names must not be empty");
            if (l.Resources is { } r) Resources(r);
            LinuxNamespace? userNs = null;
            if (l.Namespaces is { } nss)
            {
                for (int i = 0; i < nss.Count; i++)
                {
                    var ns = nss[i];
                    string path = $"linux.namespaces[{i}]";
                    Known(path + ".type", "namespace type", ns.Type, NamespaceTypes.Names);
                    for (int j = 0; j < i; j++)
                        if (nss[j].Type == ns.Type) throw Fail(path + ".type", $"duplicate namespace type {Q(ns.Type)} (also at linux.namespaces[{j}])");
                    if (ns.Path is { Length: > 0 } nsPath && nsPath[0] != '/')
                        throw Fail(path + ".path", $"namespace path must be absolute, got {Q(nsPath)}");
                    if (ns.Type == NamespaceTypes.User) userNs = ns;
                }
            }
            if (l.Sysctl is { } sysctls)
                foreach (var key in sysctls.Keys) Sysctl(key, l);
            bool hasMappings = l.UidMappings is { Count: > 0 } || l.GidMappings is { Count: > 0 };
            if (userNs is null && hasMappings)
                throw Fail(l.UidMappings is { Count: > 0 } ? "linux.uidMappings" : "linux.gidMappings", "id mappings need a user namespace in linux.namespaces");
            if (userNs is not null && string.IsNullOrEmpty(userNs.Path))
            {
                if (l.UidMappings is not { Count: > 0 }) throw Fail("linux.uidMappings", "required when creating a user namespace");
                if (l.GidMappings is not { Count: > 0 }) throw Fail("linux.gidMappings", "required when creating a user namespace");
            }
            if (l.Devices is { } devs)
            {
                for (int i = 0; i < devs.Count; i++)
                {
                    var d = devs[i];
                    string path = $"linux.devices[{i}]";
                    Absolute(path + ".path", d.Path);
                    if (d.Type is not ("c" or "b" or "u" or "p"))
                        throw Fail(path + ".type", d.Type.Length == 0 ? "required (c, b, u or p)" : $"unknown device type {Q(d.Type)} (expected one of: c, b, u, p)");
                    // Podman sends stat's st_mode (020644 for a "c" device): the type's S_IF bits are accepted, like runc.
                    if (d.FileMode is { } mode && (mode & ~0xFFFu & ~DeviceTypeBits(d.Type)) != 0)
                        throw Fail(path + ".fileMode", $"{mode} is octal 0{Convert.ToString(mode, 8)}, outside the permission bits 07777 (fileMode is decimal: 438 means 0666)");
                }
            }
            if (l.NetDevices is { } netDevs)
                foreach (var (name, dev) in netDevs)
                {
                    if (name.Length == 0 || name.Contains('/')) throw Fail("linux.netDevices", $"invalid network device name {Q(name)}");
                    if (dev.Name is { } n && n.Contains('/')) throw Fail(JsonPath.Member("linux.netDevices", name) + ".name", $"invalid network device name {Q(n)}");
                }
            if (l.Seccomp is { } sc) Seccomp(sc);
            if (l.RootfsPropagation is { Length: > 0 } prop)
                Known("linux.rootfsPropagation", "rootfs propagation", prop, SpecNames.RootfsPropagations);
            PathList("linux.maskedPaths", l.MaskedPaths);
            PathList("linux.readonlyPaths", l.ReadonlyPaths);
            if (l.IntelRdt is { } rdt)
            {
                if (rdt.MemBwSchema is { } mb && (!mb.StartsWith("MB:", StringComparison.Ordinal) || mb.Contains('\n')))
                    throw Fail("linux.intelRdt.memBwSchema", $"must start with \"MB:\" and be one line, got {Q(mb)}");
                if (rdt.L3CacheSchema is { } l3 && l3.Contains('\n'))
                    throw Fail("linux.intelRdt.l3CacheSchema", "must be one line");
                if (rdt.Schemata is { } lines)
                    for (int i = 0; i < lines.Count; i++)
                        if (lines[i].Contains('\n')) throw Fail($"linux.intelRdt.schemata[{i}]", "must not contain newlines");
            }
            if (l.MemoryPolicy is { } mp)
            {
                Known("linux.memoryPolicy.mode", "memory policy mode", mp.Mode, SpecNames.MemoryPolicyModes);
                if (mp.Flags is { } f)
                    for (int i = 0; i < f.Count; i++) Known($"linux.memoryPolicy.flags[{i}]", "memory policy flag", f[i], SpecNames.MemoryPolicyFlags);
            }
            if (l.Personality is { } pers)
                Known("linux.personality.domain", "personality domain", pers.Domain, SpecNames.PersonalityDomains);
            if (l.TimeOffsets is { } offsets)
                foreach (var (clock, off) in offsets)
                {
                    if (Array.IndexOf(SpecNames.TimeOffsetClocks, clock) < 0)
                        throw Fail(JsonPath.Member("linux.timeOffsets", clock), $"unknown clock {Q(clock)} ({OneOf(SpecNames.TimeOffsetClocks)})");
                    if (off.Nanosecs >= 1_000_000_000)
                        throw Fail(JsonPath.Member("linux.timeOffsets", clock) + ".nanosecs", $"must be less than 1000000000, got {off.Nanosecs}");
                }
        }

        // runc's rule: a sysctl may only be set when the namespace that owns it is the container's own.
        private static readonly string[] IpcSysctls =
        [
            "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
            "kernel.shmmni", "kernel.shm_rmid_forced",
        ];

        private void Sysctl(string key, Linux l)
        {
            string path = JsonPath.Member("linux.sysctl", key);
            if (Array.IndexOf(IpcSysctls, key) >= 0 || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!HasNamespace(l, NamespaceTypes.Ipc)) throw Fail(path, $"sysctl {Q(key)} is not allowed in the host's ipc namespace (add an ipc namespace)");
                return;
            }
            if (key.StartsWith("net.", StringComparison.Ordinal))
            {
                if (!HasNamespace(l, NamespaceTypes.Network)) throw Fail(path, $"sysctl {Q(key)} is not allowed in the host's network namespace (add a network namespace)");
                return;
            }
            if (HasNamespace(l, NamespaceTypes.Uts))
            {
                if (key == "kernel.domainname") return;
                if (key == "kernel.hostname") throw Fail(path, $"sysctl {Q(key)} is not allowed as it conflicts with the \"hostname\" field");
            }
            throw Fail(path, $"sysctl {Q(key)} is not in a separate kernel namespace");
        }

        private void PathList(string path, List<string>? paths)
        {
            if (paths is null) return;
            for (int i = 0; i < paths.Count; i++) Absolute($"{path}[{i}]", paths[i]);
        }

        private void Resources(LinuxResources r)
        {
            if (r.Devices is { } devs)
            {
                for (int i = 0; i < devs.Count; i++)
                {
                    var d = devs[i];
                    string path = $"linux.resources.devices[{i}]";
                    if (d.Type is { Length: > 0 } t && t is not ("a" or "b" or "c"))
                        throw Fail(path + ".type", $"unknown device type {Q(t)} (expected one of: a, b, c)");
                    if (d.Access is { } acc)
                        foreach (char c in acc)
                            if (c is not ('r' or 'w' or 'm'))
                                throw Fail(path + ".access", $"invalid access {Q(acc)} (expected a combination of r, w and m)");
                }
            }
            if (r.Memory?.Swappiness is { } sw && sw > 100)
                throw Fail("linux.resources.memory.swappiness", $"must be between 0 and 100, got {sw}");
            if (r.HugepageLimits is { } hp)
                for (int i = 0; i < hp.Count; i++)
                    if (!IsPageSize(hp[i].PageSize))
                        throw Fail($"linux.resources.hugepageLimits[{i}].pageSize", $"invalid page size {Q(hp[i].PageSize)} (expected a number and KB, MB or GB, such as \"2MB\")");
        }

        private static bool IsPageSize(string s)
        {
            // ^[1-9][0-9]*[KMG]B$
            if (s.Length < 3 || s[0] is < '1' or > '9' || s[^1] != 'B' || s[^2] is not ('K' or 'M' or 'G')) return false;
            for (int i = 1; i < s.Length - 2; i++)
                if (!char.IsAsciiDigit(s[i])) return false;
            return true;
        }

        private void Seccomp(LinuxSeccomp sc)
        {
            Known("linux.seccomp.defaultAction", "seccomp action", sc.DefaultAction, SpecNames.SeccompActions);
            if (sc.DefaultErrnoRet is not null && sc.DefaultAction is not ("SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE"))
                throw Fail("linux.seccomp.defaultErrnoRet", $"only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {sc.DefaultAction}");
            if (sc.Architectures is { } archs)
                for (int i = 0; i < archs.Count; i++) Known($"linux.seccomp.architectures[{i}]", "seccomp architecture", archs[i], SpecNames.SeccompArchs);
            if (sc.Flags is { } flags)
                for (int i = 0; i < flags.Count; i++) Known($"linux.seccomp.flags[{i}]", "seccomp flag", flags[i], SpecNames.SeccompFlags);
            bool notify = sc.DefaultAction == "SCMP_ACT_NOTIFY";
            if (sc.Syscalls is { } calls)
            {
                for (int i = 0; i < calls.Count; i++)
                {
                    var call = calls[i];
                    string path = $"linux.seccomp.syscalls[{i}]";
                    if (call.Names is null || call.Names.Count == 0) throw Fail(path + ".names", "must not be empty");
                    for (int j = 0; j < call.Names.Count; j++)
                        if (string.IsNullOrEmpty(call.Names[j])) throw Fail($"{path}.names[{j}]", "syscall name must not be empty");
                    Known(path + ".action", "seccomp action", call.Action, SpecNames.SeccompActions);
                    if (call.ErrnoRet is not null && call.Action is not ("SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE"))
                        throw Fail(path + ".errnoRet", $"only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {call.Action}");
                    notify |= call.Action == "SCMP_ACT_NOTIFY";
                    if (call.Args is { } args)
                        for (int j = 0; j < args.Count; j++)
                        {
                            if (args[j].Index > 5) throw Fail($"{path}.args[{j}].index", $"must be between 0 and 5, got {args[j].Index}");
                            Known($"{path}.args[{j}].op", "seccomp operator", args[j].Op, SpecNames.SeccompOperators);
                        }
                }
            }
            if (notify && string.IsNullOrEmpty(sc.ListenerPath))
                throw Fail("linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used");
        }
    }
}
