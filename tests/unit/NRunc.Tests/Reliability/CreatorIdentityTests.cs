using NRunc.Container.State;
using Xunit;

namespace NRunc.Tests.Reliability;

/// <summary>A record without an init pid is "creating" only while the process that wrote it is still that process.</summary>
public class CreatorIdentityTests
{
    static ContainerRecord WithCreator(string? creator) => new()
    {
        Id = "c",
        Extra = creator is null ? null : new Dictionary<string, string> { [StatusProbe.CreatorKey] = creator },
    };

    [Fact]
    public void ThisProcessIsAliveCreator() =>
        Assert.True(StatusProbe.IsCreatorAlive(WithCreator(StatusProbe.CreatorIdentity(Environment.ProcessId))));

    [Fact]
    public void ReusedPidIsNotTheCreator()
    {
        var start = ProcStat.Read(Environment.ProcessId)!.Value.StartTime;
        Assert.False(StatusProbe.IsCreatorAlive(WithCreator($"{Environment.ProcessId}:{start + 1}")));
    }

    [Fact]
    public void VanishedCreatorIsGone() => Assert.False(StatusProbe.IsCreatorAlive(WithCreator("999999999:1")));

    [Theory]
    [InlineData(null)]
    [InlineData("garbage")]
    [InlineData("12:x")]
    public void RecordsWithoutAReadableCreatorKeepTheOldBehaviour(string? creator) =>
        Assert.True(StatusProbe.IsCreatorAlive(WithCreator(creator)));
}
