using System.Runtime.InteropServices;
using NRunc.Container.Operations;
using NRunc.Container.Process;
using NRunc.Container.State;
using NRunc.Native;

namespace NRunc.Container.Lifecycle;

/// <summary>
/// run: create + start. In the foreground it forwards signals to init, proxies the terminal when nrunc allocated the
/// pty itself, waits for init, deletes the container (unless --keep) and returns init's exit status (128+signal).
/// </summary>
internal static unsafe class RunOperation
{
    public static int Run(RuntimeContext ctx, CreateOptions o)
    {
        var spec = PeekTerminal(o);
        bool ownTerminal = spec && o.ConsoleSocket is null && !o.Detach;
        int* pair = stackalloc int[2];
        int consoleOurs = -1, consoleTheirs = -1;
        if (ownTerminal)
        {
            NativeException.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair), "socketpair");
            consoleOurs = pair[0]; consoleTheirs = pair[1];
        }

        int initPid;
        using (var create = new CreateOperation(ctx, o) { OwnConsoleSocketFd = consoleTheirs })
        {
            try { create.Run(); }
            finally { if (consoleTheirs >= 0) Libc.close(consoleTheirs); }
            initPid = create.Record.InitPid;
        }

        int master = -1;
        if (ownTerminal)
        {
            master = ConsoleSetup.ReceiveMaster(consoleOurs, out _);
            Libc.close(consoleOurs);
        }

        using var forwarding = o.Detach ? null : ForegroundProcess.ForwardSignals(initPid);
        try
        {
            try { StartOperation.Run(ctx, o.Id); }
            catch
            {
                if (!o.Detach) DeleteOperation.Delete(new StateStore(ctx.Root), o.Id, force: true);
                throw;
            }
            if (o.Detach) return 0;

            int status = ForegroundProcess.Wait(initPid, master);
            if (!o.Keep) DeleteOperation.Delete(new StateStore(ctx.Root), o.Id, force: true);
            return status;
        }
        finally
        {
            if (master >= 0) Libc.close(master);
        }
    }

    /// <summary>Only process.terminal is needed before create; a bad config fails later in create with its full error.</summary>
    static bool PeekTerminal(CreateOptions o)
    {
        try
        {
            var spec = NRunc.Spec.ConfigLoader.Parse(File.ReadAllBytes(Path.Combine(Path.GetFullPath(o.Bundle), "config.json")), "config.json");
            return spec.Process?.Terminal == true;
        }
        catch (Exception) { return false; }
    }
}
