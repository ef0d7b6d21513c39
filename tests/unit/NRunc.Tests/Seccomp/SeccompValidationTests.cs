using NRunc.Seccomp;
using NRunc.Spec;
using Xunit;

namespace NRunc.Tests.Seccomp;

/// <summary>Bad <c>linux.seccomp</c> input: each error is a SpecException naming the JSON path of the entry at fault.</summary>
public class SeccompValidationTests
{
    static LinuxSeccomp Valid() => new()
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Architectures = ["SCMP_ARCH_X86_64"],
        Syscalls =
        [
            new() { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" },
            new() { Names = ["dup2"], Action = "SCMP_ACT_ERRNO", Args = [new() { Index = 0, Value = 7, Op = "SCMP_CMP_EQ" }] },
        ],
    };

    static SpecException Fails(Action<LinuxSeccomp> breakIt)
    {
        var s = Valid();
        breakIt(s);
        // Validate needs no libseccomp; Prepare must report the same error.
        var e1 = Assert.Throws<SpecException>(() => SeccompProgram.Validate(s));
        var e2 = Assert.Throws<SpecException>(() => SeccompProgram.Prepare(s).Dispose());
        Assert.Equal(e1.Message, e2.Message);
        return e1;
    }

    [Fact]
    public void UnknownSyscallActionNamesItsPath()
    {
        var e = Fails(s => s.Syscalls![1].Action = "SCMP_ACT_FOO");
        Assert.Equal("linux.seccomp.syscalls[1].action", e.JsonPath);
        Assert.Equal("config.json: linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"", e.Message);
    }

    [Fact]
    public void UnknownDefaultAction()
        => Assert.Equal("linux.seccomp.defaultAction", Fails(s => s.DefaultAction = "SCMP_ACT_NOPE").JsonPath);

    [Fact]
    public void UnknownOperatorNamesItsPath()
    {
        var e = Fails(s => s.Syscalls![1].Args![0].Op = "SCMP_CMP_FOO");
        Assert.Equal("config.json: linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_FOO\"", e.Message);
    }

    [Fact]
    public void UnknownArchitectureNamesItsPath()
    {
        var e = Fails(s => s.Architectures!.Add("SCMP_ARCH_Z80"));
        Assert.Equal("config.json: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"", e.Message);
    }

    [Fact]
    public void UnknownFlagNamesItsPath()
        => Assert.Equal("linux.seccomp.flags[1]", Fails(s => s.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS"]).JsonPath);

    [Fact]
    public void ArgumentIndexOutOfRange()
    {
        var e = Fails(s => s.Syscalls![1].Args![0].Index = 6);
        Assert.Equal("linux.seccomp.syscalls[1].args[0].index", e.JsonPath);
        Assert.Contains("0 to 5", e.Message);
    }

    [Fact]
    public void ErrnoRetOnlyWithErrnoOrTrace()
    {
        Assert.Equal("linux.seccomp.syscalls[0].errnoRet", Fails(s => { s.Syscalls![0].Action = "SCMP_ACT_LOG"; s.Syscalls[0].ErrnoRet = 1; }).JsonPath);
        Assert.Equal("linux.seccomp.defaultErrnoRet", Fails(s => s.DefaultErrnoRet = 38).JsonPath);
        Assert.Equal("linux.seccomp.syscalls[0].errnoRet", Fails(s => s.Syscalls![0].ErrnoRet = 70000).JsonPath);
    }

    [Fact]
    public void EmptyNames()
    {
        Assert.Equal("linux.seccomp.syscalls[0].names", Fails(s => s.Syscalls![0].Names = []).JsonPath);
        Assert.Equal("linux.seccomp.syscalls[0].names[1]", Fails(s => s.Syscalls![0].Names = ["mkdir", ""]).JsonPath);
    }

    [Fact]
    public void MissingDefaultActionWithSyscalls()
        => Assert.Equal("linux.seccomp.defaultAction", Fails(s => s.DefaultAction = "").JsonPath);

    [Fact]
    public void NotifyRules()
    {
        Assert.Equal("linux.seccomp.listenerPath", Fails(s => s.Syscalls![0].Action = "SCMP_ACT_NOTIFY").JsonPath);
        Assert.Equal("linux.seccomp.syscalls[0].names[1]", Fails(s =>
        {
            s.ListenerPath = "/run/agent.sock";
            s.Syscalls![0] = new() { Names = ["read", "write"], Action = "SCMP_ACT_NOTIFY" };
        }).JsonPath);
        Assert.Equal("linux.seccomp.defaultAction", Fails(s => { s.DefaultAction = "SCMP_ACT_NOTIFY"; s.ListenerPath = "/x"; }).JsonPath);
        Assert.Equal("linux.seccomp.listenerMetadata", Fails(s => s.ListenerMetadata = "x").JsonPath);
        Assert.Equal("linux.seccomp.flags[0]", Fails(s => s.Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]).JsonPath);
    }

    [Fact]
    public void EnabledLikeRunc()
    {
        Assert.False(SeccompProgram.IsEnabled(null));
        Assert.False(SeccompProgram.IsEnabled(new LinuxSeccomp()));
        Assert.True(SeccompProgram.IsEnabled(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW" }));
    }

    [Fact]
    public void EveryKnownNameIsAccepted()
    {
        foreach (var a in SeccompNames.Actions)
        {
            var s = new LinuxSeccomp
            {
                DefaultAction = a == "SCMP_ACT_ALLOW" ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW",
                ListenerPath = "/run/agent.sock",
                Syscalls = [new() { Names = ["getcwd"], Action = a }],
            };
            SeccompProgram.Validate(s);
        }
        foreach (var op in SeccompNames.Operators)
            SeccompProgram.Validate(new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Syscalls = [new() { Names = ["getcwd"], Action = "SCMP_ACT_ERRNO", Args = [new() { Index = 1, Value = 3, ValueTwo = 1, Op = op }] }],
            });
        SeccompProgram.Validate(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = [.. SeccompNames.Architectures] });
        // The spec project's own tables agree with ours.
        Assert.Equal(SpecNames.SeccompActions.Order(), SeccompNames.Actions.Order());
        Assert.Equal(SpecNames.SeccompOperators.Order(), SeccompNames.Operators.Order());
        Assert.Equal(SpecNames.SeccompArchs.Order(), SeccompNames.Architectures.Order());
        Assert.Equal(SpecNames.SeccompFlags.Order(), SeccompNames.Flags.Order());
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", null, 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_THREAD", null, 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", null, 0x80000000u)]
    [InlineData("SCMP_ACT_TRAP", null, 0x00030000u)]
    [InlineData("SCMP_ACT_ERRNO", null, 0x00050001u)]
    [InlineData("SCMP_ACT_ERRNO", 38u, 0x00050026u)]
    [InlineData("SCMP_ACT_TRACE", null, 0x7ff00001u)]
    [InlineData("SCMP_ACT_TRACE", 5u, 0x7ff00005u)]
    [InlineData("SCMP_ACT_ALLOW", null, 0x7fff0000u)]
    [InlineData("SCMP_ACT_LOG", null, 0x7ffc0000u)]
    [InlineData("SCMP_ACT_NOTIFY", null, 0x7fc00000u)]
    public void ActionsMapToLibseccompValues(string name, uint? errnoRet, uint expected)
    {
        Assert.True(SeccompNames.TryParseAction(name, out var action));
        Assert.Equal(expected, SeccompNames.ToLibseccomp(action, errnoRet));
    }

    [Fact]
    public void RepeatedArgumentIndexSplitsIntoOneRulePerCondition()
    {
        var distinct = new SeccompRules.Condition[] { new(0, 4, 1, 0), new(1, 4, 2, 0) };
        Assert.Single(SeccompRules.ConditionSets(distinct));
        var repeated = new SeccompRules.Condition[] { new(0, 4, 1, 0), new(0, 4, 2, 0), new(1, 4, 3, 0) };
        var sets = SeccompRules.ConditionSets(repeated);
        Assert.Equal(3, sets.Length);
        Assert.All(sets, s => Assert.Single(s));
        Assert.Single(SeccompRules.ConditionSets([]));
    }
}
