using System.Runtime.CompilerServices;
using System.Text.Json;
using NRunc.Spec;

namespace NRunc.Tests.Seccomp;

/// <summary>
/// Turns Docker's seccomp profile format into the OCI <c>linux.seccomp</c> section dockerd generates for a container
/// on amd64 with Docker's default capabilities (moby's profiles/seccomp setupSeccomp logic: archMap, includes and
/// excludes by arch, capability and kernel version).
/// </summary>
internal static class DockerProfile
{
    public static readonly string[] DefaultCaps =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    public static string FixturePath([CallerFilePath] string self = "")
        => Path.Combine(Path.GetDirectoryName(self)!, "fixtures", "moby-default-seccomp.json");

    public static byte[] Bytes() => File.ReadAllBytes(FixturePath());

    /// <summary>Docker's default profile as dockerd hands it to the runtime on amd64 with default capabilities.</summary>
    public static LinuxSeccomp Load() => Convert(Bytes(), "amd64", "SCMP_ARCH_X86_64", DefaultCaps);

    public static LinuxSeccomp Convert(byte[] json, string goArch, string scmpArch, string[] caps)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var result = new LinuxSeccomp
        {
            DefaultAction = root.GetProperty("defaultAction").GetString()!,
            DefaultErrnoRet = root.TryGetProperty("defaultErrnoRet", out var der) ? der.GetUInt32() : null,
            Architectures = [],
            Syscalls = [],
        };
        foreach (var m in root.GetProperty("archMap").EnumerateArray())
        {
            if (m.GetProperty("architecture").GetString() != scmpArch) continue;
            result.Architectures.Add(scmpArch);
            if (m.GetProperty("subArchitectures") is { ValueKind: JsonValueKind.Array } subs)
                foreach (var s in subs.EnumerateArray()) result.Architectures.Add(s.GetString()!);
        }
        var kernel = KernelVersion();
        foreach (var call in root.GetProperty("syscalls").EnumerateArray())
        {
            if (call.TryGetProperty("includes", out var inc))
            {
                if (Strings(inc, "arches") is { Length: > 0 } a && !a.Contains(goArch)) continue;
                if (Strings(inc, "caps") is { Length: > 0 } c && !c.All(caps.Contains)) continue;
                if (inc.TryGetProperty("minKernel", out var mk) && Version.Parse(mk.GetString()!) > kernel) continue;
            }
            if (call.TryGetProperty("excludes", out var exc))
            {
                if (Strings(exc, "arches") is { } a && a.Contains(goArch)) continue;
                if (Strings(exc, "caps") is { } c && c.Any(caps.Contains)) continue;
            }
            var sc = new LinuxSyscall
            {
                Names = [.. Strings(call, "names")!],
                Action = call.GetProperty("action").GetString()!,
                ErrnoRet = call.TryGetProperty("errnoRet", out var er) ? er.GetUInt32() : null,
            };
            if (call.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Array)
            {
                sc.Args = [];
                foreach (var arg in args.EnumerateArray())
                    sc.Args.Add(new LinuxSeccompArg
                    {
                        Index = arg.GetProperty("index").GetUInt32(),
                        Value = arg.GetProperty("value").GetUInt64(),
                        ValueTwo = arg.TryGetProperty("valueTwo", out var v2) ? v2.GetUInt64() : 0,
                        Op = arg.GetProperty("op").GetString()!,
                    });
            }
            result.Syscalls.Add(sc);
        }
        return result;
    }

    static string[]? Strings(JsonElement e, string name)
        => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select(x => x.GetString()!).ToArray()
            : null;

    static Version KernelVersion()
    {
        var r = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var parts = r.Split('.', '-');
        return new Version(int.Parse(parts[0]), int.Parse(parts[1]));
    }
}
