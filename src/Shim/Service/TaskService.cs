using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NRunc.Cgroups;
using NRunc.Shim.Events;
using NRunc.Shim.Processes;
using NRunc.Shim.Protos;
using NRunc.Shim.Ttrpc;
using TaskStatus = NRunc.Shim.Protos.Status;

namespace NRunc.Shim.Service;

/// <summary>
/// containerd.task.v2.Task: the 17 methods containerd calls on a shim. Containers are created and driven through
/// the runtime binary's CLI; exits come from the reaper; events go to containerd in order. One shim can hold
/// several containers (a pod grouped by io.kubernetes.cri.sandbox-id).
/// </summary>
public sealed class TaskService(string ns, Publisher events, string socketPath)
{
    public const string Service = "containerd.task.v2.Task";
    readonly Dictionary<string, ShimContainer> containers = new();
    public Server? Server { get; set; }

    public Dictionary<string, Handler> Handlers() => new()
    {
        [Service + "/State"] = H(StateRequest.Parser, State),
        [Service + "/Create"] = H(CreateTaskRequest.Parser, Create),
        [Service + "/Start"] = H(StartRequest.Parser, Start),
        [Service + "/Delete"] = H(DeleteRequest.Parser, Delete),
        [Service + "/Pids"] = H(PidsRequest.Parser, Pids),
        [Service + "/Pause"] = H(PauseRequest.Parser, Pause),
        [Service + "/Resume"] = H(ResumeRequest.Parser, Resume),
        [Service + "/Checkpoint"] = H(CheckpointTaskRequest.Parser, Checkpoint),
        [Service + "/Kill"] = H(KillRequest.Parser, Kill),
        [Service + "/Exec"] = H(ExecProcessRequest.Parser, Exec),
        [Service + "/ResizePty"] = H(ResizePtyRequest.Parser, ResizePty),
        [Service + "/CloseIO"] = H(CloseIORequest.Parser, CloseIO),
        [Service + "/Update"] = H(UpdateTaskRequest.Parser, Update),
        [Service + "/Wait"] = H(WaitRequest.Parser, Wait),
        [Service + "/Stats"] = H(StatsRequest.Parser, Stats),
        [Service + "/Connect"] = H(ConnectRequest.Parser, Connect),
        [Service + "/Shutdown"] = H(ShutdownRequest.Parser, Shutdown),
    };

    static Handler H<T>(MessageParser<T> parser, Func<T, CancellationToken, IMessage> f) where T : IMessage<T> =>
        (payload, ct) =>
        {
            try { return f(parser.ParseFrom(payload), ct); }
            finally { MemoryTrim.Soon(); }
        };

    static readonly Empty Nothing = new();

    ShimContainer Get(string id)
    {
        lock (containers)
            return containers.TryGetValue(id, out var c) ? c : throw new RpcException(Code.NotFound, $"container {id} not found");
    }

    IMessage State(StateRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        return c.Process(r.ExecId).State(c.Bundle);
    }

    IMessage Create(CreateTaskRequest r, CancellationToken _)
    {
        if (r.Id.Length == 0 || r.Bundle.Length == 0) throw new RpcException(Code.InvalidArgument, "create: id and bundle are required");
        if (r.Checkpoint.Length > 0) throw new RpcException(Code.Unimplemented, "create: restore from a checkpoint is not supported by containerd-shim-nrunc-v2 (no criu)");
        lock (containers)
        {
            if (containers.ContainsKey(r.Id)) throw new RpcException(Code.AlreadyExists, $"container {r.Id} already exists");
            containers[r.Id] = null!; // reserve the id while the runtime runs
        }
        bool mounted = false;
        ProcessIO? io = null;
        var rootfs = Path.Combine(r.Bundle, "rootfs");
        var pidFile = Path.Combine(r.Bundle, "init.pid");
        try
        {
            var opts = RuntimeOptions.FromAny(r.Options, ns);
            opts.Save(r.Bundle);
            var cli = new RuntimeCli(opts, r.Bundle);
            if (r.Rootfs.Count > 0) { RootfsMounts.Mount(r.Rootfs, rootfs); mounted = true; }
            io = ProcessIO.Open(r.Stdin, r.Stdout, r.Stderr, r.Terminal, r.Id, ns);
            var args = new List<string> { "create", "--bundle", r.Bundle, "--pid-file", pidFile };
            if (io.ConsoleSocketPath != null) args.AddRange(["--console-socket", io.ConsoleSocketPath]);
            if (opts.NoPivotRoot) args.Add("--no-pivot");
            if (opts.NoNewKeyring) args.Add("--no-new-keyring");
            args.Add(r.Id);
            long since = Environment.TickCount64;
            var console = io.Terminal ? Task.Run(io.ReceiveConsole) : null;
            try { cli.RunWithStdio("create", args, io.ChildFds); }
            finally { io.CloseChildFds(); }
            AwaitConsole(console, io);
            int pid = ReadPid(pidFile);
            var init = new ShimProcess(r.Id, "", io) { Pid = pid };
            var c = new ShimContainer(r.Id, r.Bundle, cli, init, mounted) { Cgroups = FindCgroups(pid) };
            lock (containers) containers[r.Id] = c;
            MonitorExit(init, since);
            Action oom = () => events.Publish(new TaskOOM { ContainerId = r.Id });
            if (c.Cgroups?.Paths.GetValueOrDefault("memory") is { } mem) OomWatcher.Watch(mem, oom);
            else if (c.Cgroups is { IsUnified: true } v2) OomWatcherV2.Watch(v2.Paths[""], oom);
            var ev = new TaskCreate
            {
                ContainerId = r.Id, Bundle = r.Bundle, Pid = (uint)pid,
                Io = new TaskIO { Stdin = r.Stdin, Stdout = r.Stdout, Stderr = r.Stderr, Terminal = r.Terminal },
            };
            ev.Rootfs.AddRange(r.Rootfs);
            events.Publish(ev);
            return new CreateTaskResponse { Pid = (uint)pid };
        }
        catch
        {
            lock (containers) containers.Remove(r.Id);
            // The runtime may have created the container before a later step failed.
            if (File.Exists(pidFile))
                try { new RuntimeCli(RuntimeOptions.Load(r.Bundle, ns), r.Bundle).Run("delete", "--force", r.Id); } catch (RpcException) { }
            io?.Dispose();
            if (mounted) RootfsMounts.Unmount(rootfs);
            throw;
        }
    }

    static void AwaitConsole(System.Threading.Tasks.Task? console, ProcessIO io)
    {
        if (console == null) return;
        try
        {
            if (!console.Wait(TimeSpan.FromSeconds(10)))
                throw new RpcException(Code.DeadlineExceeded, "console: the runtime did not send a pty master");
        }
        catch (AggregateException e)
        {
            throw new RpcException(Code.Unknown, "console socket: " + e.InnerException?.Message);
        }
    }

    static int ReadPid(string file)
    {
        try { return int.Parse(File.ReadAllText(file).Trim()); }
        catch (Exception e) { throw new RpcException(Code.Unknown, $"read pid file {file}: {e.Message}"); }
    }

    /// <summary>On exit: drain terminal output, record the status, publish TaskExit. The start lock keeps an
    /// exit from being reported before the start that caused it.</summary>
    void MonitorExit(ShimProcess p, long since)
    {
        Reaper.WaitFor(p.Pid, since).ContinueWith(t =>
        {
            p.IO.WaitOutput(TimeSpan.FromSeconds(5));
            lock (p.StartLock) p.SetExited(Reaper.ExitCode(t.Result));
            events.Publish(new TaskExit
            {
                ContainerId = p.ContainerId, Id = p.EventId, Pid = (uint)p.Pid,
                ExitStatus = (uint)p.ExitStatus, ExitedAt = p.ExitedAt,
            });
        }, TaskScheduler.Default);
    }

    IMessage Start(StartRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        var p = c.Process(r.ExecId);
        lock (p.StartLock)
        {
            if (p.Status != TaskStatus.Created || p.HasExited)
                throw new RpcException(Code.FailedPrecondition, $"process {p.EventId} cannot be started: it is {p.Status.ToString().ToLowerInvariant()}");
            if (r.ExecId.Length == 0)
            {
                c.Runtime.Run("start", r.Id);
                p.Status = TaskStatus.Running;
                events.Publish(new TaskStart { ContainerId = r.Id, Pid = (uint)p.Pid });
                return new StartResponse { Pid = (uint)p.Pid };
            }
            StartExec(c, p);
            events.Publish(new TaskExecStarted { ContainerId = r.Id, ExecId = r.ExecId, Pid = (uint)p.Pid });
            return new StartResponse { Pid = (uint)p.Pid };
        }
    }

    void StartExec(ShimContainer c, ShimProcess p)
    {
        var dir = Path.Combine(c.Bundle, "exec");
        Directory.CreateDirectory(dir);
        var spec = Path.Combine(dir, p.ExecId + ".json");
        var pidFile = Path.Combine(dir, p.ExecId + ".pid");
        try
        {
            File.WriteAllBytes(spec, p.Spec);
            var args = new List<string> { "exec", "--process", spec, "--detach", "--pid-file", pidFile };
            if (p.IO.ConsoleSocketPath != null) args.AddRange(["--console-socket", p.IO.ConsoleSocketPath]);
            args.Add(c.Id);
            long since = Environment.TickCount64;
            var console = p.IO.Terminal ? Task.Run(p.IO.ReceiveConsole) : null;
            try { c.Runtime.RunWithStdio("exec", args, p.IO.ChildFds); }
            catch { p.IO.Dispose(); throw; }
            finally { p.IO.CloseChildFds(); }
            AwaitConsole(console, p.IO);
            p.Pid = ReadPid(pidFile);
            p.Status = TaskStatus.Running;
            MonitorExit(p, since);
        }
        finally
        {
            File.Delete(spec);
            File.Delete(pidFile);
        }
    }

    IMessage Delete(DeleteRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        var p = c.Process(r.ExecId);
        if (r.ExecId.Length > 0)
        {
            if (p.Status != TaskStatus.Created && !p.HasExited)
                throw new RpcException(Code.FailedPrecondition, $"cannot delete running exec {r.ExecId}");
            lock (c.Gate) c.Execs.Remove(r.ExecId);
            p.IO.Dispose();
            return new DeleteResponse { Pid = (uint)p.Pid, ExitStatus = (uint)p.ExitStatus, ExitedAt = p.ExitedAt };
        }
        if (p.Status != TaskStatus.Created && !p.HasExited)
            throw new RpcException(Code.FailedPrecondition, $"cannot delete running container {r.Id}");
        try { c.Runtime.Run(p.HasExited ? ["delete", r.Id] : ["delete", "--force", r.Id]); }
        catch (RpcException e) when (e.Code == Code.NotFound) { }
        if (!p.HasExited) p.Wait(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        p.IO.Dispose();
        lock (c.Gate) foreach (var e in c.Execs.Values) e.IO.Dispose();
        if (c.RootfsMounted) RootfsMounts.Unmount(Path.Combine(c.Bundle, "rootfs"));
        lock (containers) containers.Remove(r.Id);
        events.Publish(new TaskDelete
        {
            ContainerId = r.Id, Id = r.Id, Pid = (uint)p.Pid, ExitStatus = (uint)p.ExitStatus, ExitedAt = p.ExitedAt,
        });
        return new DeleteResponse { Pid = (uint)p.Pid, ExitStatus = (uint)p.ExitStatus, ExitedAt = p.ExitedAt };
    }

    IMessage Pids(PidsRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        var json = c.Runtime.Run("ps", "--format", "json", r.Id);
        var resp = new PidsResponse();
        Dictionary<int, string> execPids;
        lock (c.Gate) execPids = c.Execs.Values.Where(e => e.Pid > 0).ToDictionary(e => e.Pid, e => e.ExecId);
        using var doc = JsonDocument.Parse(json.Trim().Length == 0 ? "[]" : json);
        foreach (var el in doc.RootElement.EnumerateArray())
        {
            int pid = el.GetInt32();
            var info = new ProcessInfo { Pid = (uint)pid };
            if (execPids.TryGetValue(pid, out var execId))
                info.Info = new Any { TypeUrl = "containerd.runc.v1.ProcessDetails", Value = new ProcessDetails { ExecId = execId }.ToByteString() };
            resp.Processes.Add(info);
        }
        return resp;
    }

    IMessage Pause(PauseRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        c.Runtime.Run("pause", r.Id);
        c.Init.Status = TaskStatus.Paused;
        events.Publish(new TaskPaused { ContainerId = r.Id });
        return Nothing;
    }

    IMessage Resume(ResumeRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        c.Runtime.Run("resume", r.Id);
        if (!c.Init.HasExited) c.Init.Status = TaskStatus.Running;
        events.Publish(new TaskResumed { ContainerId = r.Id });
        return Nothing;
    }

    IMessage Checkpoint(CheckpointTaskRequest r, CancellationToken _) =>
        throw new RpcException(Code.Unimplemented, "checkpoint is not supported by containerd-shim-nrunc-v2: it needs criu, which cannot run on this host");

    IMessage Kill(KillRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        var p = c.Process(r.ExecId);
        if (r.ExecId.Length == 0)
        {
            if (p.HasExited && !r.All) throw new RpcException(Code.NotFound, "process already finished");
            try
            {
                c.Runtime.Run(r.All ? ["kill", "--all", r.Id, r.Signal.ToString()] : ["kill", r.Id, r.Signal.ToString()]);
            }
            catch (RpcException e) when (e.Message.Contains("not running") || p.HasExited)
            {
                if (!r.All) throw new RpcException(Code.NotFound, "process already finished");
            }
            return Nothing;
        }
        if (p.HasExited) throw new RpcException(Code.NotFound, "process already finished");
        if (p.Pid <= 0) throw new RpcException(Code.FailedPrecondition, $"exec {r.ExecId} is not started");
        if (NRunc.Native.Libc.kill(p.Pid, (int)r.Signal) < 0) throw new RpcException(Code.NotFound, "process already finished");
        return Nothing;
    }

    IMessage Exec(ExecProcessRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        if (r.ExecId.Length == 0) throw new RpcException(Code.InvalidArgument, "exec: exec_id is required");
        if (c.Init.HasExited) throw new RpcException(Code.FailedPrecondition, $"container {r.Id} is stopped");
        lock (c.Gate)
        {
            if (c.Execs.ContainsKey(r.ExecId)) throw new RpcException(Code.AlreadyExists, $"id {r.ExecId} already in use");
            c.Execs[r.ExecId] = null!;
        }
        try
        {
            var io = ProcessIO.Open(r.Stdin, r.Stdout, r.Stderr, r.Terminal, r.Id, ns);
            lock (c.Gate) c.Execs[r.ExecId] = new ShimProcess(r.Id, r.ExecId, io) { Spec = r.Spec?.Value.ToByteArray() ?? [] };
        }
        catch
        {
            lock (c.Gate) c.Execs.Remove(r.ExecId);
            throw;
        }
        events.Publish(new TaskExecAdded { ContainerId = r.Id, ExecId = r.ExecId });
        return Nothing;
    }

    IMessage ResizePty(ResizePtyRequest r, CancellationToken _)
    {
        Get(r.Id).Process(r.ExecId).IO.Resize(r.Width, r.Height);
        return Nothing;
    }

    IMessage CloseIO(CloseIORequest r, CancellationToken _)
    {
        var p = Get(r.Id).Process(r.ExecId);
        if (r.Stdin) p.IO.CloseStdin();
        return Nothing;
    }

    IMessage Update(UpdateTaskRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        if (r.Resources == null) throw new RpcException(Code.InvalidArgument, "update: resources are required");
        var file = Path.Combine(c.Bundle, "update-resources.json");
        File.WriteAllBytes(file, r.Resources.Value.ToByteArray());
        try { c.Runtime.Run("update", "--resources", file, r.Id); }
        finally { File.Delete(file); }
        return Nothing;
    }

    IMessage Wait(WaitRequest r, CancellationToken deadline)
    {
        var p = Get(r.Id).Process(r.ExecId);
        p.Wait(deadline);
        return new WaitResponse { ExitStatus = (uint)p.ExitStatus, ExitedAt = p.ExitedAt };
    }

    IMessage Stats(StatsRequest r, CancellationToken _)
    {
        var c = Get(r.Id);
        if (c.Cgroups == null) throw new RpcException(Code.NotFound, $"container {r.Id}: no cgroup to read stats from");
        var stats = c.Cgroups.GetStats();
        var any = c.Cgroups.IsUnified
            ? new Any { TypeUrl = MetricsV2.TypeUrl, Value = MetricsV2.From(stats).ToByteString() }
            : new Any { TypeUrl = MetricsV1.TypeUrl, Value = MetricsV1.From(stats).ToByteString() };
        return new StatsResponse { Stats = any };
    }

    /// <summary>The init's cgroup(s) from /proc/PID/cgroup, whichever runtime made them; null if unreadable.</summary>
    static ICgroupManager? FindCgroups(int pid)
    {
        try { return ProcessCgroups.Of(pid); }
        catch (CgroupException e) { Log.Write($"cgroups of pid {pid}: {e.Message}"); return null; }
    }

    IMessage Connect(ConnectRequest r, CancellationToken _)
    {
        ShimContainer? c;
        lock (containers) containers.TryGetValue(r.Id, out c);
        return new ConnectResponse { ShimPid = (uint)Environment.ProcessId, TaskPid = (uint)(c?.Init.Pid ?? 0), Version = Program.Version };
    }

    IMessage Shutdown(ShutdownRequest r, CancellationToken _)
    {
        lock (containers)
        {
            if (containers.Count > 0) return Nothing;
            try { File.Delete(socketPath); } catch (IOException) { }
            events.Flush(TimeSpan.FromSeconds(5));
            if (Server != null) Server.ExitAfterReply = true;
        }
        return Nothing;
    }
}
