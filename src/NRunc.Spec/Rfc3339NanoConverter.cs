using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NRunc.Spec;

/// <summary>
/// DateTime as Go's time.RFC3339Nano in UTC ("2024-01-02T03:04:05.123456789Z", trailing zeros of the
/// fraction dropped), which is how runc writes `created`. Reads any RFC 3339 timestamp.
/// </summary>
public sealed class Rfc3339NanoConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString();
        if (s is null || !TryParse(s, out var value))
            throw new JsonException("expected an RFC 3339 timestamp");
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
        => writer.WriteStringValue(Format(value));

    /// <summary>Parses RFC 3339 with up to nine fractional digits (Go writes nanoseconds; .NET keeps 100 ns).</summary>
    public static bool TryParse(string s, out DateTime value)
    {
        value = default;
        int dot = s.IndexOf('.');
        if (dot > 0)
        {
            int end = dot + 1;
            while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
            if (end - dot - 1 > 7) s = string.Concat(s.AsSpan(0, dot + 8), s.AsSpan(end));
        }
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto)) return false;
        value = dto.UtcDateTime;
        return true;
    }

    /// <summary>Formats like Go's time.RFC3339Nano in UTC.</summary>
    public static string Format(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        Span<char> buf = stackalloc char[40];
        utc.TryFormat(buf, out int n, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        long frac = utc.Ticks % TimeSpan.TicksPerSecond; // 100 ns units, 7 digits
        if (frac != 0)
        {
            buf[n++] = '.';
            int digits = 7;
            while (frac % 10 == 0) { frac /= 10; digits--; }
            frac.TryFormat(buf[n..], out int m, "D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            n += m;
        }
        buf[n++] = 'Z';
        return new string(buf[..n]);
    }
}
