using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class FeaturesCommand
{
    public static Command Create() => new()
    {
        Name = "features",
        Summary = "show the enabled features",
        Help = """
            DESCRIPTION:
               Show the enabled features as the runtime-spec features document (JSON):
            only what nrunc implements is listed.
            """,
        Rule = ArgRule.Exact, MinArgs = 0,
        Action = inv =>
        {
            inv.WriteUtf8(FeaturesOperation.ToJson(FeaturesOperation.Build()));
            return 0;
        },
    };
}
