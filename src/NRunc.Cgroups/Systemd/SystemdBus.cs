using Tmds.DBus.Protocol;

namespace NRunc.Cgroups.Systemd;

/// <summary>
/// The calls nrunc makes to systemd's manager over the system bus (Tmds.DBus.Protocol, no reflection): start a
/// transient unit, set its properties, stop it; starting and stopping wait for the job's JobRemoved signal.
/// Only the systemd driver touches this type, so the fs drivers' start-up never loads the D-Bus code.
/// </summary>
public sealed class SystemdBus : IDisposable
{
    const string Service = "org.freedesktop.systemd1", ObjectPath = "/org/freedesktop/systemd1",
        ManagerInterface = "org.freedesktop.systemd1.Manager";
    static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    readonly DBusConnection _bus;
    readonly Dictionary<string, string> _finished = new(StringComparer.Ordinal); // job path → result
    readonly object _lock = new();

    SystemdBus(DBusConnection bus) => _bus = bus;

    /// <summary>True when systemd is PID 1 (sd_booted: /run/systemd/system exists).</summary>
    public static bool IsRunning() => Directory.Exists("/run/systemd/system");

    public static SystemdBus Connect()
    {
        if (!IsRunning()) throw new CgroupException("systemd not running on this host, cannot use systemd cgroups manager");
        var address = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } a ? a
            : "unix:path=/run/dbus/system_bus_socket";
        var conn = new DBusConnection(address);
        try
        {
            Wait(conn.ConnectAsync().AsTask(), "connect to the system bus at " + address);
            var bus = new SystemdBus(conn);
            var rule = new MatchRule
            {
                Type = MessageType.Signal, Sender = Service, Path = ObjectPath, Interface = ManagerInterface, Member = "JobRemoved",
            };
            Wait(conn.AddMatchAsync(rule, static (Message m, object? _) =>
            {
                var r = m.GetBodyReader();
                r.ReadUInt32();
                var job = r.ReadObjectPathAsString();
                r.ReadString();
                return (Job: job, Result: r.ReadString());
            }, (Notification<(string Job, string Result)> n) =>
            {
                if (!n.HasValue) return;
                lock (bus._lock) { bus._finished[n.Value.Job] = n.Value.Result; Monitor.PulseAll(bus._lock); }
            }, false, ObserverFlags.None, null).AsTask(), "subscribe to systemd's JobRemoved signal");
            return bus;
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>StartTransientUnit(unit, "replace", properties, []) and the job's result ("done" or an error).</summary>
    public void StartTransientUnit(string unit, IReadOnlyList<UnitProperty> properties)
    {
        var job = Call("StartTransientUnit", "ssa(sv)a(sa(sv))", (ref MessageWriter w) =>
        {
            w.WriteString(unit);
            w.WriteString("replace");
            WriteProperties(ref w, properties);
            var aux = w.WriteArrayStart(DBusType.Struct);
            w.WriteArrayEnd(aux);
        }, $"start unit {unit}");
        WaitForJob(job, $"start unit {unit}");
    }

    /// <summary>SetUnitProperties(unit, runtime=true, properties).</summary>
    public void SetUnitProperties(string unit, IReadOnlyList<UnitProperty> properties)
    {
        if (properties.Count == 0) return;
        Call("SetUnitProperties", "sba(sv)", (ref MessageWriter w) =>
        {
            w.WriteString(unit);
            w.WriteBool(true);
            WriteProperties(ref w, properties);
        }, $"set properties of unit {unit}", expectJob: false);
    }

    /// <summary>StopUnit(unit, "replace") and the job's result; a unit that is not loaded is fine.</summary>
    public void StopUnit(string unit)
    {
        string job;
        try { job = Call("StopUnit", "ss", (ref MessageWriter w) => { w.WriteString(unit); w.WriteString("replace"); }, $"stop unit {unit}"); }
        catch (CgroupException e) when (e.Message.Contains("NoSuchUnit", StringComparison.Ordinal) || e.Message.Contains("not loaded", StringComparison.Ordinal)) { return; }
        WaitForJob(job, $"stop unit {unit}");
        // a scope whose processes were killed ends up "failed" and stays loaded: unload it, as runc does
        try { Call("ResetFailedUnit", "s", (ref MessageWriter w) => w.WriteString(unit), $"reset failed unit {unit}", expectJob: false); }
        catch (CgroupException) { }
    }

    static void WriteProperties(ref MessageWriter w, IReadOnlyList<UnitProperty> properties)
    {
        var props = w.WriteArrayStart(DBusType.Struct);
        foreach (var p in properties)
        {
            w.WriteStructureStart();
            w.WriteString(p.Name);
            w.WriteSignature(p.Signature);
            switch (p.Value)
            {
                case bool b: w.WriteBool(b); break;
                case string s: w.WriteString(s); break;
                case ulong t: w.WriteUInt64(t); break;
                case uint[] au: w.WriteArray(au); break;
                case byte[] ay: w.WriteArray(ay); break;
                case (string Node, string Access)[] devices:
                    var pairs = w.WriteArrayStart(DBusType.Struct);
                    foreach (var (node, access) in devices)
                    {
                        w.WriteStructureStart();
                        w.WriteString(node);
                        w.WriteString(access);
                    }
                    w.WriteArrayEnd(pairs);
                    break;
                default: throw new CgroupException($"systemd property {p.Name}: unsupported value type");
            }
        }
        w.WriteArrayEnd(props);
    }

    /// <summary>Writes a call's body. MessageWriter is a ref struct that keeps its write position: it must be passed by
    /// reference, or the body goes into a copy and the message is sent with an empty body (the bus then drops us).</summary>
    delegate void BodyWriter(ref MessageWriter w);

    string Call(string member, string signature, BodyWriter body, string what, bool expectJob = true)
    {
        MessageBuffer message;
        var w = _bus.GetMessageWriter();
        try
        {
            w.WriteMethodCallHeader(Service, ObjectPath, ManagerInterface, member, signature, MessageFlags.None);
            body(ref w);
            message = w.CreateMessage();
        }
        finally { w.Dispose(); }
        if (!expectJob)
        {
            Wait(_bus.CallMethodAsync(message), what);
            return "";
        }
        return Wait(_bus.CallMethodAsync(message, static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString(), null), what);
    }

    void WaitForJob(string job, string what)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        lock (_lock)
        {
            string? result;
            while (!_finished.TryGetValue(job, out result))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new CgroupException($"systemd: {what}: timed out after {JobTimeout.TotalSeconds:0}s waiting for job {job}");
                Monitor.Wait(_lock, left);
            }
            if (result != "done") throw new CgroupException($"systemd: {what}: job {job} finished with result {CgroupFsQuote(result)}");
        }
    }

    static string CgroupFsQuote(string s) => Common.CgroupFs.Quote(s);

    /// <summary>Every bus call is bounded: a bus that accepts but never answers must not hang create or delete.</summary>
    static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    static T Wait<T>(Task<T> task, string what)
    {
        Wait((Task)task, what);
        return task.Result;
    }

    static void Wait(Task task, string what)
    {
        bool done;
        try { done = task.Wait(CallTimeout); }
        catch (AggregateException e) { throw new CgroupException($"systemd: {what}: {e.InnerException?.Message ?? e.Message}"); }
        if (!done) throw new CgroupException($"systemd: {what}: no answer within {CallTimeout.TotalSeconds:0}s");
    }

    public void Dispose() => _bus.Dispose();
}
