using NRunc.Container.Lifecycle;
using NRunc.Container.Rootless;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Rootless;

public class RootlessModeTests
{
    [Fact]
    public void Flag_true_and_false_win_auto_follows_the_caller()
    {
        Assert.True(RootlessMode.CgroupsRootless("true"));
        Assert.False(RootlessMode.CgroupsRootless("false"));
        // The tests run as root in the initial user namespace.
        Assert.Equal(RootlessMode.IsUnprivileged || RootlessMode.InUserNamespace(), RootlessMode.CgroupsRootless("auto"));
    }

    [Fact]
    public void Only_a_single_mapping_of_ones_own_id_is_written_without_a_helper()
    {
        Assert.True(IdMaps.IsOwnIdOnly([new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }], 1000));
        Assert.True(IdMaps.IsOwnIdOnly([new LinuxIdMapping { ContainerId = 5, HostId = 1000, Size = 1 }], 1000));
        Assert.False(IdMaps.IsOwnIdOnly([new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 2 }], 1000));
        Assert.False(IdMaps.IsOwnIdOnly([new LinuxIdMapping { ContainerId = 0, HostId = 1001, Size = 1 }], 1000));
        Assert.False(IdMaps.IsOwnIdOnly(
            [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }, new LinuxIdMapping { ContainerId = 1, HostId = 100000, Size = 65536 }], 1000));
    }

    [Fact]
    public void A_process_sharing_our_pid_namespace_is_its_only_member()
    {
        Assert.Equal([Environment.ProcessId], PidNamespaceMembers.Of(Environment.ProcessId));
    }

    [Fact]
    public void Root_is_not_held_to_the_rootless_checks()
    {
        if (RootlessMode.IsUnprivileged) return;
        RootlessChecks.Validate(DefaultSpec.Create());
    }
}
