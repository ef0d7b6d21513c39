using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NRunc.Shim.Processes;
using NRunc.Shim.Protos;
using NRunc.Shim.Ttrpc;

namespace NRunc.Shim.Events;

/// <summary>
/// Sends task events to containerd in order, from one thread: over ttrpc to containerd's TTRPC_ADDRESS
/// (Events.Forward, as containerd 1.6's own shims do), or, without that address, by running the publish binary
/// (`P --address A publish --topic T --namespace NS` with the event Any on stdin). A containerd that is down
/// (restarting) is retried for a while; events are never reordered.
/// </summary>
public sealed class Publisher
{
    readonly BlockingCollection<Envelope> queue = new();
    readonly string ns, ttrpcAddress, publishBinary, address;
    Client? client;
    int pending;

    public Publisher(string ns, string ttrpcAddress, string publishBinary, string address)
    {
        this.ns = ns;
        this.ttrpcAddress = ttrpcAddress.StartsWith("unix://") ? ttrpcAddress[7..] : ttrpcAddress;
        this.publishBinary = publishBinary;
        this.address = address;
        new Thread(Loop) { IsBackground = true, Name = "events" }.Start();
    }

    /// <summary>Queues <paramref name="ev"/> under its topic; the type URL is the proto full name
    /// (containerd.events.TaskExit), as containerd's typeurl registry spells it.</summary>
    public void Publish(IMessage ev)
    {
        var (topic, type) = Route(ev);
        Interlocked.Increment(ref pending);
        queue.Add(new Envelope
        {
            Timestamp = Timestamp.FromDateTime(DateTime.UtcNow),
            Namespace = ns,
            Topic = topic,
            Event = new Any { TypeUrl = "containerd.events." + type, Value = ev.ToByteString() },
        });
    }

    /// <summary>Topic and type name of each event (containerd's runtime/events.go topics).</summary>
    public static (string Topic, string Type) Route(IMessage ev) => ev switch
    {
        TaskCreate => ("/tasks/create", "TaskCreate"),
        TaskStart => ("/tasks/start", "TaskStart"),
        TaskDelete => ("/tasks/delete", "TaskDelete"),
        TaskExit => ("/tasks/exit", "TaskExit"),
        TaskOOM => ("/tasks/oom", "TaskOOM"),
        TaskExecAdded => ("/tasks/exec-added", "TaskExecAdded"),
        TaskExecStarted => ("/tasks/exec-started", "TaskExecStarted"),
        TaskPaused => ("/tasks/paused", "TaskPaused"),
        TaskResumed => ("/tasks/resumed", "TaskResumed"),
        _ => throw new ArgumentException("not a task event: " + ev.GetType().Name),
    };

    void Loop()
    {
        foreach (var env in queue.GetConsumingEnumerable())
        {
            for (int attempt = 0; attempt < 60; attempt++)
            {
                try { Send(env); break; }
                catch (Exception e)
                {
                    client?.Dispose();
                    client = null;
                    Log.Write($"publish {env.Topic}: {e.Message}");
                    Thread.Sleep(Math.Min(1000, 50 * (attempt + 1)));
                }
            }
            Interlocked.Decrement(ref pending);
        }
    }

    /// <summary>Waits until every queued event is sent (or given up), at most <paramref name="timeout"/>: the shim
    /// calls it before exiting so that TaskDelete, published just before Shutdown, is not lost.</summary>
    public void Flush(TimeSpan timeout)
    {
        var end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref pending) > 0 && Environment.TickCount64 < end) Thread.Sleep(5);
    }

    void Send(Envelope env)
    {
        if (ttrpcAddress.Length > 0)
        {
            client ??= new Client(ttrpcAddress);
            client.Call("containerd.services.events.ttrpc.v1.Events", "Forward", new ForwardRequest { Envelope = env }, TimeSpan.FromSeconds(5));
            return;
        }
        var bin = Spawner.Resolve(publishBinary) ?? throw new IOException("publish binary not found: " + publishBinary);
        var p = Pipes.Create();
        int devnull = Pipes.OpenDevNull();
        int pid;
        try { pid = Spawner.Spawn([bin, "--address", address, "publish", "--topic", env.Topic, "--namespace", ns], [p.Read, devnull, devnull]); }
        finally { NRunc.Native.Libc.close(p.Read); NRunc.Native.Libc.close(devnull); }
        Pipes.WriteAll(p.Write, env.Event.ToByteArray());
        NRunc.Native.Libc.close(p.Write);
        int code = Reaper.ExitCode(Reaper.WaitFor(pid).Result);
        if (code != 0) throw new IOException($"{bin} publish exited with status {code}");
    }
}
