using Google.Protobuf.WellKnownTypes;
using NRunc.Shim.Protos;
using NRunc.Shim.Ttrpc;
using TaskStatus = NRunc.Shim.Protos.Status;

namespace NRunc.Shim.Service;

/// <summary>
/// One process of a task: the container's init (ExecId empty) or an exec. Holds its stdio, pid and, once the
/// reaper reports it, the exit status and time, which stay until Delete.
/// </summary>
public sealed class ShimProcess(string containerId, string execId, ProcessIO io)
{
    public string ContainerId { get; } = containerId;
    public string ExecId { get; } = execId;
    public ProcessIO IO { get; } = io;
    public int Pid { get; set; }
    public TaskStatus Status { get; set; } = TaskStatus.Created;
    public int ExitStatus { get; private set; }
    public Timestamp? ExitedAt { get; private set; }
    /// <summary>The exec's process JSON (the spec Any's value); empty for init.</summary>
    public byte[] Spec { get; init; } = [];

    /// <summary>Held while the process is started and its start event published; the exit path takes it too.</summary>
    public readonly object StartLock = new();

    readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HasExited => exited.Task.IsCompleted;

    /// <summary>The id containerd knows this process by in events: the container id for init.</summary>
    public string EventId => ExecId.Length > 0 ? ExecId : ContainerId;

    public void SetExited(int status)
    {
        ExitStatus = status;
        ExitedAt = Timestamp.FromDateTime(DateTime.UtcNow);
        Status = TaskStatus.Stopped;
        exited.TrySetResult();
    }

    /// <summary>Blocks until exit or the request's deadline.</summary>
    public void Wait(CancellationToken deadline)
    {
        try { exited.Task.Wait(deadline); }
        catch (OperationCanceledException) { throw new RpcException(Code.DeadlineExceeded, "context deadline exceeded"); }
    }

    public StateResponse State(string bundle) => new()
    {
        Id = ContainerId,
        ExecId = ExecId,
        Bundle = bundle,
        Pid = (uint)Pid,
        Status = Status,
        Stdin = IO.Stdin,
        Stdout = IO.Stdout,
        Stderr = IO.Stderr,
        Terminal = IO.Terminal,
        ExitStatus = (uint)ExitStatus,
        ExitedAt = ExitedAt,
    };
}
