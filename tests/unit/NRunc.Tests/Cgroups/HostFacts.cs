using NRunc.Cgroups.Common;
using Xunit;

namespace NRunc.Tests.Cgroups;

/// <summary>Host facts for the real-kernel cgroup tests (evaluated once per test class load, cheap).</summary>
internal static class CgroupTestHost
{
    public static readonly bool IsRoot = Environment.IsPrivilegedProcess;
    public static readonly bool IsUnified = SafeIsUnified();
    public static readonly bool HasV1Memory = !IsUnified && File.Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");

    static bool SafeIsUnified() { try { return CgroupHost.IsUnified(); } catch (Exception) { return false; } }

    /// <summary>A fresh name nobody else uses: nrunc-unittest-&lt;random&gt;.</summary>
    public static string NewName() => "nrunc-unittest-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A child `sleep` to move around; killed and reaped by Dispose.</summary>
    public sealed class Sleeper : IDisposable
    {
        readonly System.Diagnostics.Process _p;
        public Sleeper() => _p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        public int Pid => _p.Id;
        public void Dispose() { try { _p.Kill(); _p.WaitForExit(5000); } catch (InvalidOperationException) { } _p.Dispose(); }
    }
}

/// <summary>Runs on a cgroup v1 host as root; skipped elsewhere.</summary>
public sealed class V1RootFactAttribute : FactAttribute
{
    public V1RootFactAttribute()
    {
        if (!CgroupTestHost.IsRoot) Skip = "needs root";
        else if (!CgroupTestHost.HasV1Memory) Skip = "needs a cgroup v1 host with the memory controller";
    }
}

/// <summary>Runs on a cgroup v2 (unified) host as root, e.g. in tests/vm/run-cgroup2-tests.sh; skipped elsewhere.</summary>
public sealed class V2RootFactAttribute : FactAttribute
{
    public V2RootFactAttribute()
    {
        if (!CgroupTestHost.IsRoot) Skip = "needs root";
        else if (!CgroupTestHost.IsUnified) Skip = "needs a cgroup v2 host (run tests/vm/run-cgroup2-tests.sh)";
    }
}
