namespace NRunc.Shim.Service;

/// <summary>A container the shim owns: its bundle, runtime, init process, execs and cgroup (for Stats and OOM).</summary>
public sealed class ShimContainer(string id, string bundle, RuntimeCli runtime, ShimProcess init, bool rootfsMounted)
{
    public string Id { get; } = id;
    public string Bundle { get; } = bundle;
    public RuntimeCli Runtime { get; } = runtime;
    public ShimProcess Init { get; } = init;
    public bool RootfsMounted { get; } = rootfsMounted;
    public Dictionary<string, ShimProcess> Execs { get; } = new();
    public NRunc.Cgroups.ICgroupManager? Cgroups { get; set; }
    public readonly object Gate = new();

    public ShimProcess Process(string execId)
    {
        if (execId.Length == 0) return Init;
        lock (Gate)
            return Execs.TryGetValue(execId, out var p) ? p
                : throw new Ttrpc.RpcException(Ttrpc.Code.NotFound, $"process {execId} does not exist in container {Id}");
    }
}
