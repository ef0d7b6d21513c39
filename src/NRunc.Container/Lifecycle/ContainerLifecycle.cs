namespace NRunc.Container.Lifecycle;

/// <summary>
/// The verbs that start processes: create, start, run, exec, and the hidden init mode.
/// Stubs until the lifecycle issue lands; the CLI calls exactly these.
/// </summary>
public static class ContainerLifecycle
{
    /// <summary>create: returns once init is blocked before the user process.</summary>
    public static void Create(RuntimeContext ctx, CreateOptions options) => throw new ContainerException("create: not implemented yet");

    /// <summary>start: releases a created container's init.</summary>
    public static void Start(RuntimeContext ctx, string id) => throw new ContainerException("start: not implemented yet");

    /// <summary>run: create + start; in the foreground waits and returns the exit status (128+signal).</summary>
    public static int Run(RuntimeContext ctx, CreateOptions options) => throw new ContainerException("run: not implemented yet");

    /// <summary>exec: returns the exit status of a foreground process, 0 when detached.</summary>
    public static int Exec(RuntimeContext ctx, ExecOptions options) => throw new ContainerException("exec: not implemented yet");

    /// <summary>The hidden `nrunc init` mode run inside the new namespaces. Never returns on success.</summary>
    public static int Init() => throw new ContainerException("init: not implemented yet");
}
