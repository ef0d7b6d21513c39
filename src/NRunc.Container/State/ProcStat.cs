namespace NRunc.Container.State;

/// <summary>The two fields of /proc/PID/stat nrunc needs: the state letter (field 3) and the start time (field 22).</summary>
public readonly record struct ProcStat(char State, ulong StartTime)
{
    /// <summary>Reads /proc/PID/stat; null when the process does not exist.</summary>
    public static ProcStat? Read(int pid)
    {
        if (pid <= 0) return null;
        Span<byte> buf = stackalloc byte[1024];
        int n;
        try { n = FastIo.ReadSmall("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/stat", buf); }
        catch (NRunc.Native.NativeException) { return null; }
        if (n <= 0) return null;
        Span<char> text = stackalloc char[n];
        for (int i = 0; i < n; i++) text[i] = (char)buf[i]; // the fields nrunc reads are ASCII
        return Parse(text);
    }

    /// <summary>Parses a stat line; the command name (field 2) may hold spaces and ')' so fields count from the last ')'.</summary>
    public static ProcStat? Parse(ReadOnlySpan<char> text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length) return null;
        var rest = text[(close + 2)..];
        char state = rest[0];
        // rest starts at field 3; field 22 is the 20th space-separated field of rest.
        int field = 3;
        int i = 0;
        while (field < 22)
        {
            var sp = rest[i..].IndexOf(' ');
            if (sp < 0) return null;
            i += sp + 1;
            field++;
        }
        var end = rest[i..].IndexOf(' ');
        var num = end < 0 ? rest[i..] : rest.Slice(i, end);
        if (!ulong.TryParse(num, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var start))
            return null;
        return new ProcStat(state, start);
    }
}
