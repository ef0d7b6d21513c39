using System.Runtime.InteropServices;
using System.Text;
using NRunc.Native;
using NRunc.Native.Raw;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// Runs OCI hooks: the state JSON on stdin, path/args/env as configured, killed after its timeout. Hooks are spawned
/// with a raw clone + execve (no System.Diagnostics.Process: no SIGCHLD machinery, no extra threads), which also works
/// from init after it dropped privileges.
/// </summary>
public static unsafe class HookRunner
{
    /// <summary>Runs each hook of <paramref name="kind"/> in order; the first failure throws with its output.</summary>
    public static void RunAll(string kind, IReadOnlyList<NRunc.Spec.Hook>? hooks, byte[] stateJson)
    {
        if (hooks is null) return;
        for (int i = 0; i < hooks.Count; i++) Run(kind, i, hooks[i], stateJson);
    }

    /// <summary>Runs each hook, logging failures as warnings (poststart, poststop).</summary>
    public static void RunAllWarnOnly(string kind, IReadOnlyList<NRunc.Spec.Hook>? hooks, byte[] stateJson)
    {
        if (hooks is null) return;
        for (int i = 0; i < hooks.Count; i++)
        {
            try { Run(kind, i, hooks[i], stateJson); }
            catch (ContainerException e) { Diagnostics.Log.Warn(e.Message); }
        }
    }

    static void Run(string kind, int index, NRunc.Spec.Hook hook, byte[] stateJson)
    {
        int* inPipe = stackalloc int[2];
        int* outPipe = stackalloc int[2];
        NativeException.Check(Libc.pipe2(inPipe, Libc.O_CLOEXEC_FLAG), "pipe2");
        NativeException.Check(Libc.pipe2(outPipe, Libc.O_CLOEXEC_FLAG), "pipe2");
        int pid;
        var b = new RawProgramBuilder();
        b.Add(RawOpCode.Dup3, "dup stdin", inPipe[0], 0, 0);
        b.Add(RawOpCode.Dup3, "dup stdout", outPipe[1], 1, 0);
        b.Add(RawOpCode.Dup3, "dup stderr", outPipe[1], 2, 0);
        b.Add(RawOpCode.SignalMaskRestore, "sigmask");
        var args = hook.Args is { Count: > 0 } a ? a : [hook.Path];
        b.Add(RawOpCode.Execve, $"exec {hook.Path}", b.String(hook.Path), b.StringArray(args), b.StringArray(hook.Env ?? []));
        using (var program = b.Build()) pid = program.Spawn(0);
        Libc.close(inPipe[0]);
        Libc.close(outPipe[1]);
        // The hook may not read stdin at all: a broken pipe is not its failure.
        fixed (byte* s = stateJson) Libc.write(inPipe[1], s, stateJson.Length);
        Libc.close(inPipe[1]);

        var output = new MemoryStream();
        var deadline = hook.Timeout is > 0 ? Environment.TickCount64 + hook.Timeout.Value * 1000L : long.MaxValue;
        bool timedOut = false;
        var buf = new byte[4096];
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0) { timedOut = true; break; }
            Libc.PollFd pfd = new() { Fd = outPipe[0], Events = Libc.POLL_IN };
            int r = Libc.PollFds(&pfd, 1, (int)Math.Min(left, int.MaxValue));
            if (r == 0) { timedOut = true; break; }
            if (r < 0) continue;
            nint n;
            fixed (byte* p = buf) n = Libc.read(outPipe[0], p, buf.Length);
            if (n <= 0) break;
            if (output.Length < 64 * 1024) output.Write(buf, 0, (int)n);
        }
        Libc.close(outPipe[0]);
        if (timedOut) Libc.kill(pid, 9);
        int status = WaitExit(pid);
        string where = $"{kind}[{index}] {hook.Path}";
        if (timedOut) throw new ContainerException($"error running {kind} hook #{index}: {hook.Path}: timed out after {hook.Timeout}s");
        if (status != 0)
        {
            var text = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length).Trim();
            var detail = status >= 128 + 1 && status < 128 + 65 ? $"signal: {status - 128}" : $"exit status {status}";
            throw new ContainerException($"error running {kind} hook #{index}: {hook.Path}: {detail}" + (text.Length > 0 ? $", output: {text}" : ""));
        }
        _ = where;
    }

    /// <summary>waitpid with EINTR retry; returns the exit status, or 128+signal.</summary>
    public static int WaitExit(int pid)
    {
        int status = 0;
        while (Libc.waitpid(pid, &status, Libc.__WALL) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e != Errno.EINTR) throw new NativeException("waitpid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), e);
        }
        return DecodeStatus(status);
    }

    public static int DecodeStatus(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
