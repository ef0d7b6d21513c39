using NRunc.Container.Operations;

namespace NRunc.Cli.Commands;

public static class EventsCommand
{
    public static Command Create() => new()
    {
        Name = "events",
        Summary = "display container resource usage statistics (cpu, memory, pids, IO)",
        ArgsUsage = "<container-id>",
        Help = """
            Where "<container-id>" is the name for the instance of the container.

            DESCRIPTION:
               The events command prints the container's statistics as JSON lines
            ({"type":"stats","id":...,"data":{...}}), once with --stats, otherwise once
            every interval until the container stops, and {"type":"oom","id":...} whenever
            the OOM killer kills a process in the container's memory cgroup.
            """,
        Flags =
        [
            new("interval", FlagKind.Value, "set the stats collection interval", defaultText: "5s"),
            new("stats", FlagKind.Bool, "display the container's stats then exit"),
        ],
        Rule = ArgRule.Exact, MinArgs = 1,
        Action = inv =>
        {
            var interval = EventsOperation.ParseDuration(inv.Flags.String("interval", "5s"));
            if (interval <= TimeSpan.Zero) throw new UsageException("duration interval must be greater than 0");
            var store = inv.Store();
            if (inv.Flags.Bool("stats")) { inv.Out.Write(EventsOperation.StatsLine(store, inv.Id)); return 0; }
            EventsOperation.Stream(store, inv.Id, interval, line => { inv.Out.Write(line); inv.Out.Flush(); });
            return 0;
        },
    };
}
