namespace NRunc.Container.Lifecycle;

/// <summary>The verbs that start processes: create, start, run, exec, and the hidden init mode.</summary>
public static class ContainerLifecycle
{
    /// <summary>create: returns once init is blocked before the user process.</summary>
    public static void Create(RuntimeContext ctx, CreateOptions options)
    {
        using var op = new CreateOperation(ctx, options);
        op.Run();
    }

    /// <summary>start: releases a created container's init.</summary>
    public static void Start(RuntimeContext ctx, string id) => StartOperation.Run(ctx, id);

    /// <summary>run: create + start; in the foreground waits and returns the exit status (128+signal).</summary>
    public static int Run(RuntimeContext ctx, CreateOptions options) => RunOperation.Run(ctx, options);

    /// <summary>exec: returns the exit status of a foreground process, 0 when detached.</summary>
    public static int Exec(RuntimeContext ctx, ExecOptions options) => ExecOperation.Run(ctx, options);

    /// <summary>The hidden `nrunc init` mode run inside the new namespaces. Never returns on success.</summary>
    public static int Init() => InitProcess.Main();
}
