using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>`nrunc delete [--force] ID`, with runc 1.1's rules.</summary>
public static class DeleteOperation
{
    static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    public static void Delete(StateStore store, string id, bool force)
    {
        StateStore.ValidateId(id);
        if (!store.Exists(id))
        {
            // An aborted create can leave a directory without state.json: remove it. With --force a missing
            // container is not an error (runc 1.1).
            store.Remove(id);
            if (force) return;
            throw new ContainerNotFoundException(id);
        }
        IDisposable held;
        try { held = store.Lock(id); }
        catch (ContainerNotFoundException) when (force) { return; }
        using var _ = held;
        var record = store.Load(id);
        var status = StatusProbe.Get(store, record);
        if (force || status == ContainerStatus.Created)
        {
            // --force kills even a stopped container's leftovers (a container without its own pid namespace).
            KillAndWait(store, record, status);
        }
        else if (status != ContainerStatus.Stopped)
        {
            throw new ContainerException($"cannot delete container {id} that is not stopped: {status.Name()}");
        }
        Destroy(store, record);
    }

    static void KillAndWait(StateStore store, ContainerRecord record, ContainerStatus status)
    {
        if (status != ContainerStatus.Stopped) ProcessSignal.SignalInit(record, KillOperation.SIGKILL);
        if (ContainerCgroups.Has(record)) KillOperation.SignalAll(record, KillOperation.SIGKILL, status == ContainerStatus.Paused);
        if (!ProcessSignal.WaitInitGone(record, KillWait))
            throw new ContainerException($"container {record.Id} init process {record.InitPid} did not exit after SIGKILL");
    }

    /// <summary>Lifecycle hook, then cgroups, then the state dir (last, so a failure can be retried with delete).</summary>
    static void Destroy(StateStore store, ContainerRecord record)
    {
        DeleteHooks.BeforeRemove(record);
        if (ContainerCgroups.Has(record))
        {
            var cg = ContainerCgroups.Open(record);
            if (cg.Exists())
            {
                // Leftovers of a container that shared the host pid namespace keep the cgroup busy.
                foreach (var pid in cg.GetPids()) ProcessSignal.SignalPid(pid, KillOperation.SIGKILL);
                cg.Destroy();
            }
        }
        store.Remove(record.Id);
    }
}
