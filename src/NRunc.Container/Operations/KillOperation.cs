using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>`nrunc kill [--all] ID [SIGNAL]`.</summary>
public static class KillOperation
{
    public const int SIGKILL = 9, SIGTERM = 15;

    public static void Kill(StateStore store, string id, int signal, bool all)
    {
        StateStore.ValidateId(id);
        using var _ = store.Lock(id);
        var record = store.Load(id);
        var status = StatusProbe.Get(store, record);
        if (all)
        {
            // runc: a stopped container whose cgroup is gone has nothing left to signal.
            if (status == ContainerStatus.Stopped && !ContainerCgroups.Has(record)) return;
            SignalAll(record, signal, status == ContainerStatus.Paused);
            return;
        }
        if (status is not (ContainerStatus.Created or ContainerStatus.Running or ContainerStatus.Paused))
            throw new ContainerException("container not running");
        if (!ProcessSignal.SignalInit(record, signal)) throw new ContainerException("container not running");
        // cgroup v1 holds signals to frozen tasks until thawed; runc thaws for SIGKILL only.
        if (status == ContainerStatus.Paused && signal == SIGKILL && ContainerCgroups.Has(record))
        {
            try { ContainerCgroups.Open(record).Thaw(); } catch (ContainerException) { }
        }
    }

    /// <summary>Signals every process in the container's cgroup, frozen meanwhile so none can fork away (runc's way).</summary>
    public static void SignalAll(ContainerRecord record, int signal, bool paused)
    {
        if (!ContainerCgroups.Has(record))
        {
            ProcessSignal.SignalInit(record, signal);
            // Rootless without a cgroup: the rest of init's pid namespace.
            if (record.Rootless && StatusProbe.IsInitAlive(record))
                foreach (var pid in NRunc.Container.Rootless.PidNamespaceMembers.Of(record.InitPid))
                    if (pid != record.InitPid) ProcessSignal.SignalPid(pid, signal);
            return;
        }
        var cg = ContainerCgroups.Open(record);
        if (!cg.Exists()) return;
        bool froze = false;
        if (!paused)
        {
            try { cg.Freeze(); froze = true; } catch (Exception e) when (e is not OutOfMemoryException) { }
        }
        try
        {
            foreach (var pid in cg.GetPids()) ProcessSignal.SignalPid(pid, signal);
        }
        finally
        {
            if (froze || (paused && signal == SIGKILL))
            {
                try { cg.Thaw(); } catch (Exception e) when (e is not OutOfMemoryException) { }
            }
        }
    }
}
