using NRunc.Container.Lifecycle;
using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>
/// Runs in delete after the container's processes are dead and before its cgroups and state dir are removed:
/// the poststop hooks (failures are warnings, as runtime.md says).
/// </summary>
public static class DeleteHooks
{
    public static void BeforeRemove(ContainerRecord record)
    {
        var spec = record.Spec();
        if (spec?.Hooks?.Poststop is not { Count: > 0 } hooks) return;
        var state = HookState.ToUtf8(record, ContainerStatus.Stopped);
        HookRunner.RunAllWarnOnly("poststop", hooks, state);
    }
}
