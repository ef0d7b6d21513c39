using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>`nrunc checkpoint` / `nrunc restore`: criu does not work on the kernels nrunc targets, so both fail clearly.</summary>
public static class CheckpointOperation
{
    public const string Reason = "criu does not work on this kernel";

    public static void Checkpoint(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        var record = store.Load(id); // an unknown id says "does not exist" first, like runc
        if (StatusProbe.Get(store, record) is not (ContainerStatus.Running or ContainerStatus.Paused))
            throw new ContainerException("container not running");
        throw new ContainerException($"checkpoint is not supported: {Reason}");
    }

    public static void Restore(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        throw new ContainerException($"restore is not supported: {Reason}");
    }
}
