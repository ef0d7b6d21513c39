using NRunc.Cgroups.Common;
using Xunit;

namespace NRunc.Tests.Cgroups;

public class OomCounterTests
{
    [Fact]
    public void Reads_the_oom_kill_line_of_v1_oom_control_and_v2_memory_events()
    {
        var dir = Directory.CreateTempSubdirectory("nrunc-oom").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
            File.WriteAllText(Path.Combine(dir, "memory.events"), "low 0\nhigh 0\nmax 5\noom 2\noom_kill 2\noom_group_kill 0\n");
            Assert.Equal(3, OomCounter.Read(dir, "memory.oom_control"));
            Assert.Equal(2, OomCounter.Read(dir, "memory.events"));
            Assert.Equal(-1, OomCounter.Read(dir, "missing"));
            Assert.Equal(-1, OomCounter.Read(null, "memory.events"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
