using System.Runtime.InteropServices;
using System.Text.Json;
using NRunc.Container.State;
using NRunc.Native;
using ContainerStatus = NRunc.Container.State.ContainerStatus;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// start: opening the exec fifo for reading releases init, which is blocked opening it for writing; init writes one
/// byte and execs the user's process. The fifo is removed, which is how status tells created from running.
/// </summary>
internal static unsafe class StartOperation
{
    public static void Run(RuntimeContext ctx, string id)
    {
        var store = new StateStore(ctx.Root);
        using var l = store.Lock(id);
        var record = store.Load(id);
        var status = StatusProbe.Get(store, record);
        switch (status)
        {
            case ContainerStatus.Created: break;
            case ContainerStatus.Stopped: throw new ContainerException("cannot start a container that has stopped");
            case ContainerStatus.Running: throw new ContainerException("cannot start an already running container");
            default: throw new ContainerException($"cannot start a container in the {status.Name()} state");
        }
        var fifo = Path.Combine(store.ContainerDir(id), StateStore.ExecFifo);
        var spec = record.ConfigPath is { } cp && record.Spec() is { } s ? s : null;
        // With startContainer hooks, init writes a second byte once they succeeded; EOF instead means one failed
        // (runtime.md, lifecycle step 7: an error of start). Without them start returns after the first byte.
        Release(fifo, record, spec?.Hooks?.StartContainer is { Count: > 0 });
        try { File.Delete(fifo); } catch (IOException) { }
        if (spec?.Hooks?.Poststart is { Count: > 0 } hooks)
        {
            var state = HookState.ToUtf8(record, ContainerStatus.Running);
            try
            {
                HookRunner.RunAll("poststart", hooks, state);
            }
            catch (Exception e) when (e is ContainerException or NativeException)
            {
                // runtime.md (lifecycle step 9): a failing poststart hook is an error and the container is stopped
                Libc.kill(record.InitPid, 9);
                throw;
            }
        }
    }

    static void Release(string fifo, ContainerRecord record, bool waitStartHooks)
    {
        int fd;
        fixed (byte* p = Utf8.Z(fifo)) fd = Libc.open(p, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC_FLAG, 0);
        if (fd < 0) throw new NativeException("open", fifo, Marshal.GetLastPInvokeError());
        try
        {
            while (true)
            {
                Libc.PollFd pfd = new() { Fd = fd, Events = Libc.POLL_IN };
                int r = Libc.PollFds(&pfd, 1, 100);
                if (r > 0 && (pfd.Revents & Libc.POLL_IN) != 0)
                {
                    byte b;
                    nint n = Libc.read(fd, &b, 1);
                    if (n == 1 && (b == (byte)'1' || !waitStartHooks)) return;
                    if (n == 0) throw new ContainerException("start: a startContainer hook failed (the container's init exited; see its log)");
                    continue;
                }
                if (r > 0 && waitStartHooks && (pfd.Revents & Libc.POLL_HUP) != 0)
                    throw new ContainerException("start: a startContainer hook failed (the container's init exited; see its log)");
                if (!StatusProbe.IsInitAlive(record)) throw new ContainerException("cannot start a container that has stopped");
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }
}

internal static class RecordSpecExtensions
{
    /// <summary>The config.json copy kept in the state dir at create, or null when it cannot be read.</summary>
    public static NRunc.Spec.Spec? Spec(this ContainerRecord r)
    {
        if (r.ConfigPath is null) return null;
        try { return NRunc.Spec.ConfigLoader.Parse(File.ReadAllBytes(r.ConfigPath), "config.json"); }
        catch (Exception e) when (e is IOException or NRunc.Spec.SpecException or UnauthorizedAccessException) { return null; }
    }
}
