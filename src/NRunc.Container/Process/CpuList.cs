namespace NRunc.Container.Process;

/// <summary>CPU lists as the kernel prints them ("0-3,7", "1,3-4"), parsed into a cpu_set_t-style bit mask.</summary>
public static class CpuList
{
    const int MaxCpu = 8192;

    /// <summary>Bit mask words (64 CPUs a word); throws <see cref="ContainerException"/> naming <paramref name="field"/> on bad input.</summary>
    public static ulong[] Parse(string list, string field)
    {
        var words = new ulong[1];
        foreach (var raw in list.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0) throw Bad(list, field);
            int dash = part.IndexOf('-');
            int lo, hi;
            if (dash < 0)
            {
                if (!int.TryParse(part, System.Globalization.NumberStyles.None, null, out lo)) throw Bad(list, field);
                hi = lo;
            }
            else if (!int.TryParse(part.AsSpan(0, dash), System.Globalization.NumberStyles.None, null, out lo) ||
                     !int.TryParse(part.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out hi) || hi < lo)
                throw Bad(list, field);
            if (hi >= MaxCpu) throw Bad(list, field);
            if (hi / 64 >= words.Length) Array.Resize(ref words, hi / 64 + 1);
            for (int c = lo; c <= hi; c++) words[c / 64] |= 1UL << (c % 64);
        }
        return words;
    }

    static ContainerException Bad(string list, string field) =>
        new($"invalid CPU list {ExecLookup.GoQuote(list)} in process.{field}");
}
