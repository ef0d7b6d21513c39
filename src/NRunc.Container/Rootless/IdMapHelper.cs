using System.Globalization;
using System.Text;
using NRunc.Container.Lifecycle;
using NRunc.Native;
using NRunc.Native.Raw;

namespace NRunc.Container.Rootless;

/// <summary>
/// Runs newuidmap/newgidmap (shadow's uidmap package) for an unprivileged caller whose mappings are more than its own
/// id: `newuidmap PID CONTAINER-ID HOST-ID SIZE ...`. The helpers are setuid root and allow the ranges /etc/subuid
/// and /etc/subgid grant the caller. Spawned with a raw clone + execve like hooks; their output becomes the error.
/// </summary>
public static unsafe class IdMapHelper
{
    static readonly string[] FallbackDirs = ["/usr/bin", "/usr/sbin", "/bin", "/sbin"];

    public static void Run(string tool, int pid, List<NRunc.Spec.LinuxIdMapping> maps, string where)
    {
        var path = Find(tool) ?? throw new ContainerException(
            $"config.json: {where}: mapping more than your own id needs {tool} (Debian package uidmap), which is not on PATH");
        var args = new List<string>(2 + maps.Count * 3) { tool, pid.ToString(CultureInfo.InvariantCulture) };
        foreach (var m in maps)
        {
            args.Add(m.ContainerId.ToString(CultureInfo.InvariantCulture));
            args.Add(m.HostId.ToString(CultureInfo.InvariantCulture));
            args.Add(m.Size.ToString(CultureInfo.InvariantCulture));
        }
        int* output = stackalloc int[2];
        NativeException.Check(Libc.pipe2(output, Libc.O_CLOEXEC_FLAG), "pipe2");
        int child;
        try
        {
            var b = new RawProgramBuilder();
            b.Add(RawOpCode.Dup3, "dup stdout", output[1], 1, 0);
            b.Add(RawOpCode.Dup3, "dup stderr", output[1], 2, 0);
            b.Add(RawOpCode.SignalMaskRestore, "sigmask");
            b.Add(RawOpCode.Execve, $"exec {path}", b.String(path), b.StringArray(args), b.StringArray(["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]));
            using var program = b.Build();
            child = program.Spawn(0);
        }
        finally { Libc.close(output[1]); }
        var text = ReadAll(output[0]);
        Libc.close(output[0]);
        int status = HookRunner.WaitExit(child);
        if (status != 0)
            throw new ContainerException($"create: {where}: {tool} {string.Join(' ', args.Skip(1))} failed (exit status {status}): {text.Trim()}" +
                                         $" (are the ranges in /etc/{(tool == "newuidmap" ? "subuid" : "subgid")} for uid {Libc.StateGeteuid()}?)");
    }

    /// <summary>The helper on PATH, else in the usual system dirs.</summary>
    public static string? Find(string tool)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(FallbackDirs);
        foreach (var d in dirs)
        {
            var p = Path.Combine(d, tool);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    static string ReadAll(int fd)
    {
        var sb = new StringBuilder();
        var buf = stackalloc byte[1024];
        nint n;
        while ((n = Libc.read(fd, buf, 1024)) > 0 && sb.Length < 8192) sb.Append(Encoding.UTF8.GetString(buf, (int)n));
        return sb.ToString();
    }
}
