using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using NRunc.Shim.Processes;
using NRunc.Shim.Ttrpc;

namespace NRunc.Shim.Service;

/// <summary>
/// Runs the OCI runtime binary (nrunc, or runc/crun through BinaryName) the way containerd-shim-runc-v2 does:
/// `BIN --root R --log BUNDLE/log.json --log-format json [--systemd-cgroup] VERB ...`. A failure becomes an
/// RpcException carrying the runtime's last logged error (or its stderr).
/// </summary>
public sealed class RuntimeCli(RuntimeOptions options, string bundle)
{
    public string LogPath => Path.Combine(bundle, "log.json");

    string Binary => Spawner.Resolve(options.BinaryName)
        ?? throw new RpcException(Code.FailedPrecondition, $"runtime binary {options.BinaryName} not found (BinaryName option)");

    string[] Command(IEnumerable<string> verbArgs)
    {
        var a = new List<string> { Binary, "--root", options.Root, "--log", LogPath, "--log-format", "json" };
        if (options.SystemdCgroup) a.Add("--systemd-cgroup");
        a.AddRange(verbArgs);
        return a.ToArray();
    }

    /// <summary>Runs a verb whose process gets <paramref name="stdio"/> as fds 0-2 (create, exec: the container
    /// inherits them). Throws with <paramref name="what"/> ("create", "exec") in the message on failure.</summary>
    public void RunWithStdio(string what, IEnumerable<string> verbArgs, int[] stdio)
    {
        long logStart = LogLength();
        int pid = Spawner.Spawn(Command(verbArgs), stdio);
        int code = Reaper.ExitCode(Reaper.WaitFor(pid).Result);
        if (code != 0)
            throw new RpcException(Code.Unknown, $"OCI runtime {what} failed: {LastError(logStart) ?? $"exit status {code}"}");
    }

    /// <summary>Runs a verb with stdout captured and returns it; stderr is kept for the error message.</summary>
    public string Run(params string[] verbArgs) => Run(verbArgs, null);

    public string Run(string[] verbArgs, byte[]? stdin)
    {
        long logStart = LogLength();
        var outPipe = Pipes.Create();
        var errPipe = Pipes.Create();
        var inPipe = Pipes.Create();
        int pid;
        try { pid = Spawner.Spawn(Command(verbArgs), [inPipe.Read, outPipe.Write, errPipe.Write]); }
        finally
        {
            NRunc.Native.Libc.close(outPipe.Write);
            NRunc.Native.Libc.close(errPipe.Write);
            NRunc.Native.Libc.close(inPipe.Read);
        }
        if (stdin != null) Pipes.WriteAll(inPipe.Write, stdin);
        NRunc.Native.Libc.close(inPipe.Write);
        var errTask = System.Threading.Tasks.Task.Run(() => ReadAll(errPipe.Read));
        var output = ReadAll(outPipe.Read);
        var err = errTask.Result;
        int code = Reaper.ExitCode(Reaper.WaitFor(pid).Result);
        if (code != 0)
        {
            var msg = LastError(logStart) ?? (err.Trim().Length > 0 ? err.Trim() : $"exit status {code}");
            throw new RpcException(ErrorCode(msg), $"OCI runtime {verbArgs[0]} failed: {msg}");
        }
        return output;
    }

    static Code ErrorCode(string msg) =>
        msg.Contains("does not exist") || msg.Contains("not exist") ? Code.NotFound
        : msg.Contains("not running") || msg.Contains("not paused") || msg.Contains("is paused") ? Code.FailedPrecondition
        : Code.Unknown;

    static string ReadAll(int fd)
    {
        using var fs = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1);
        using var sr = new StreamReader(fs, Encoding.UTF8);
        return sr.ReadToEnd();
    }

    long LogLength()
    {
        try { return new FileInfo(LogPath).Length; } catch { return 0; }
    }

    /// <summary>The msg of the last error line the runtime appended to its JSON log after <paramref name="from"/>.</summary>
    string? LastError(long from)
    {
        try
        {
            using var fs = File.OpenRead(LogPath);
            if (from <= fs.Length) fs.Seek(from, SeekOrigin.Begin);
            using var sr = new StreamReader(fs);
            string? last = null;
            while (sr.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.TryGetProperty("level", out var lv) && lv.GetString() == "error" &&
                        doc.RootElement.TryGetProperty("msg", out var m))
                        last = m.GetString();
                }
                catch (JsonException) { }
            }
            return last;
        }
        catch (IOException) { return null; }
    }
}
