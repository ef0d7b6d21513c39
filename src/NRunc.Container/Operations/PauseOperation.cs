using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>`nrunc pause ID` and `nrunc resume ID` through the cgroup freezer.</summary>
public static class PauseOperation
{
    public static void Pause(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        using var _ = store.Lock(id);
        var record = store.Load(id);
        var status = StatusProbe.Get(store, record);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created)) throw new ContainerException("container not running");
        ContainerCgroups.Open(record).Freeze();
    }

    public static void Resume(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        using var _ = store.Lock(id);
        var record = store.Load(id);
        var status = StatusProbe.Get(store, record);
        if (status != ContainerStatus.Paused) throw new ContainerException("container not paused");
        ContainerCgroups.Open(record).Thaw();
    }
}
