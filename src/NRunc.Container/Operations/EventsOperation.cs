using System.Text;
using NRunc.Cgroups;
using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>`nrunc events [--stats] [--interval D] ID`: runc's stats event, once or every interval.</summary>
public static class EventsOperation
{
    /// <summary>One <c>{"type":"stats","id":ID,"data":{...}}</c> line (runc's types.Event).</summary>
    public static string StatsLine(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        ContainerRecord record;
        using (store.Lock(id))
        {
            record = store.Load(id);
            if (StatusProbe.Get(store, record) == ContainerStatus.Stopped)
                throw new ContainerException($"container with id {id} is not running");
        }
        var stats = ContainerCgroups.Open(record).GetStats();
        return EventLine("stats", id, w =>
        {
            w.WritePropertyName("data"u8);
            System.Text.Json.JsonSerializer.Serialize(w, stats, CgroupStatsJsonContext.Default.CgroupStats);
        });
    }

    /// <summary>How often the memory cgroup's OOM-kill counter is read while streaming.</summary>
    static readonly TimeSpan OomPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>runc's OOM event: <c>{"type":"oom","id":ID}</c>.</summary>
    public static string OomLine(string id) => EventLine("oom", id, null);

    /// <summary>runc's types.Event as one JSON line: type, id, then what <paramref name="data"/> writes.</summary>
    static string EventLine(string type, string id, Action<System.Text.Json.Utf8JsonWriter>? data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(data is null ? 64 : 2048);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
               { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            w.WriteString("id"u8, id);
            data?.Invoke(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>
    /// Prints a stats line every <paramref name="interval"/> and an oom line whenever the OOM killer's counter of the
    /// container's memory cgroup rises, until the container stops or printing fails. The counter is checked before
    /// the stats, so an OOM that ends the container is still reported.
    /// </summary>
    public static void Stream(StateStore store, string id, TimeSpan interval, Action<string> emit, CancellationToken cancel = default)
    {
        StateStore.ValidateId(id);
        ContainerRecord record;
        using (store.Lock(id)) record = store.Load(id);
        var cgroups = ContainerCgroups.Has(record) ? ContainerCgroups.Open(record) : null;
        long ooms = cgroups?.OomKillCount() ?? -1;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextStats = TimeSpan.Zero;
        while (!cancel.IsCancellationRequested)
        {
            long now = cgroups?.OomKillCount() ?? -1;
            if (now > ooms && ooms >= 0) emit(OomLine(id));
            if (now >= 0) ooms = now;
            if (clock.Elapsed >= nextStats)
            {
                emit(StatsLine(store, id));
                nextStats += interval;
            }
            var wait = nextStats - clock.Elapsed;
            if (cancel.WaitHandle.WaitOne(wait < OomPoll ? (wait < TimeSpan.Zero ? TimeSpan.Zero : wait) : OomPoll)) return;
        }
    }

    /// <summary>Go's time.ParseDuration for the forms people type: 5s, 500ms, 1m30s, 1h, 1.5s, 100us, 10ns.</summary>
    public static TimeSpan ParseDuration(string s)
    {
        var span = s.AsSpan();
        if (span is "0") return TimeSpan.Zero;
        double totalNs = 0;
        bool any = false;
        while (span.Length > 0)
        {
            int i = 0;
            while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.')) i++;
            if (i == 0 || !double.TryParse(span[..i], System.Globalization.NumberStyles.AllowDecimalPoint,
                    System.Globalization.CultureInfo.InvariantCulture, out var num))
                throw new ContainerException($"time: invalid duration \"{s}\"");
            span = span[i..];
            int u = 0;
            while (u < span.Length && !char.IsAsciiDigit(span[u]) && span[u] != '.') u++;
            double scale = span[..u] switch
            {
                "ns" => 1, "us" or "µs" => 1e3, "ms" => 1e6, "s" => 1e9, "m" => 60e9, "h" => 3600e9,
                _ => throw new ContainerException(u == 0 ? $"time: missing unit in duration \"{s}\"" : $"time: unknown unit \"{span[..u].ToString()}\" in duration \"{s}\""),
            };
            totalNs += num * scale;
            span = span[u..];
            any = true;
        }
        if (!any) throw new ContainerException($"time: invalid duration \"{s}\"");
        return TimeSpan.FromTicks((long)(totalNs / 100));
    }
}
