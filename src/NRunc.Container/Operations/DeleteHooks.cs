using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>
/// Extension point for the lifecycle code: runs in delete after the container's processes are dead and before its
/// cgroups and state dir are removed (poststop hooks, network devices, mounts). Empty until the lifecycle fills it.
/// </summary>
public static class DeleteHooks
{
    public static void BeforeRemove(ContainerRecord record)
    {
    }
}
