namespace NRunc.Cgroups.Stats;

/// <summary>Parsers of the cgroupfs file formats used for stats (pure, unit-tested on fixtures).</summary>
public static class StatParsers
{
    /// <summary>"key value" per line (memory.stat, cpu.stat, memory.events); unparsable values are skipped.</summary>
    public static Dictionary<string, ulong> FlatKeyed(string text)
    {
        var d = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            int sp = line.IndexOf(' ');
            if (sp <= 0) continue;
            var v = line[(sp + 1)..].Trim();
            if (v == "max") d[line[..sp]] = ulong.MaxValue;
            else if (ulong.TryParse(v, out var n)) d[line[..sp]] = n;
        }
        return d;
    }

    /// <summary>Space-separated numbers (cpuacct.usage_percpu).</summary>
    public static List<ulong> Numbers(string text)
    {
        var l = new List<ulong>();
        foreach (var f in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            if (ulong.TryParse(f, out var n)) l.Add(n);
        return l;
    }

    /// <summary>
    /// cpuacct.usage_all: "cpu user system" header then one line per cpu; gives (user, kernel) per cpu in ns.
    /// </summary>
    public static (List<ulong> User, List<ulong> Kernel) UsageAll(string text)
    {
        var user = new List<ulong>(); var kernel = new List<ulong>();
        foreach (var line in text.Split('\n').Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3) continue;
            if (ulong.TryParse(f[1], out var u) && ulong.TryParse(f[2], out var k)) { user.Add(u); kernel.Add(k); }
        }
        return (user, kernel);
    }

    /// <summary>
    /// v1 blkio "MAJ:MIN Op value" lines (the "Total n" line is skipped, as runc does); lines without an op
    /// ("8:0 123", e.g. blkio.sectors_recursive) get an empty op.
    /// </summary>
    public static List<BlkioEntry> BlkioEntries(string text)
    {
        var l = new List<BlkioEntry>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || f[0] == "Total") continue;
            if (!TryDevice(f[0], out var maj, out var min)) continue;
            if (f.Length == 2) { if (ulong.TryParse(f[1], out var v2)) l.Add(new BlkioEntry { Major = maj, Minor = min, Op = "", Value = v2 }); continue; }
            if (ulong.TryParse(f[2], out var v)) l.Add(new BlkioEntry { Major = maj, Minor = min, Op = f[1], Value = v });
        }
        return l;
    }

    /// <summary>
    /// v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=.." mapped to runc's v1-shaped
    /// entries: bytes → ioServiceBytesRecursive, ios → ioServicedRecursive, ops Read/Write/Discard.
    /// </summary>
    public static (List<BlkioEntry> Bytes, List<BlkioEntry> Ios) IoStat(string text)
    {
        var bytes = new List<BlkioEntry>(); var ios = new List<BlkioEntry>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || !TryDevice(f[0], out var maj, out var min)) continue;
            foreach (var kv in f.Skip(1))
            {
                int eq = kv.IndexOf('=');
                if (eq < 0 || !ulong.TryParse(kv[(eq + 1)..], out var v)) continue;
                var (list, op) = kv[..eq] switch
                {
                    "rbytes" => (bytes, "Read"), "wbytes" => (bytes, "Write"), "dbytes" => (bytes, "Discard"),
                    "rios" => (ios, "Read"), "wios" => (ios, "Write"), "dios" => (ios, "Discard"),
                    _ => ((List<BlkioEntry>?)null, ""),
                };
                list?.Add(new BlkioEntry { Major = maj, Minor = min, Op = op, Value = v });
            }
        }
        return (bytes, ios);
    }

    /// <summary>A cpuset list ("0-3,5") as numbers.</summary>
    public static List<ushort> CpuList(string text)
    {
        var l = new List<ushort>();
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = part.IndexOf('-');
            if (dash < 0) { if (ushort.TryParse(part, out var n)) l.Add(n); continue; }
            if (ushort.TryParse(part[..dash], out var a) && ushort.TryParse(part[(dash + 1)..], out var b))
                for (int i = a; i <= b; i++) l.Add((ushort)i);
        }
        return l;
    }

    static bool TryDevice(string s, out ulong major, out ulong minor)
    {
        major = minor = 0;
        int c = s.IndexOf(':');
        return c > 0 && ulong.TryParse(s[..c], out major) && ulong.TryParse(s[(c + 1)..], out minor);
    }

    /// <summary>
    /// Hugepage size names as runc prints them ("2MB", "1GB") from /sys/kernel/mm/hugepages entries
    /// ("hugepages-2048kB").
    /// </summary>
    public static string HugePageSizeName(string dirName)
    {
        var s = dirName.StartsWith("hugepages-", StringComparison.Ordinal) ? dirName[10..] : dirName;
        if (s.EndsWith("kB", StringComparison.Ordinal)) s = s[..^2];
        if (!ulong.TryParse(s, out var kb)) return dirName;
        double v = kb * 1024.0; int unit = 0;
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        while (v >= 1024 && unit < units.Length - 1) { v /= 1024; unit++; }
        return v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>The hugepage sizes this host supports ("2MB", ...), empty when there are none.</summary>
    /// <summary>rdma.current / rdma.max: "mlx4_0 hca_handle=2 hca_object=2000" per device; "max" is uint.MaxValue.</summary>
    public static List<RdmaEntry> RdmaEntries(string text)
    {
        var l = new List<RdmaEntry>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            uint handles = 0, objects = 0;
            foreach (var kv in f.Skip(1))
            {
                int eq = kv.IndexOf('=');
                if (eq < 0) continue;
                var v = kv[(eq + 1)..];
                uint n = v == "max" ? uint.MaxValue : uint.TryParse(v, out var x) ? x : 0;
                if (kv[..eq] == "hca_handle") handles = n;
                else if (kv[..eq] == "hca_object") objects = n;
            }
            l.Add(new RdmaEntry(f[0], handles, objects));
        }
        return l;
    }

    public static List<string> HugePageSizes()
    {
        var l = new List<string>();
        try { foreach (var d in Directory.GetDirectories("/sys/kernel/mm/hugepages")) l.Add(HugePageSizeName(Path.GetFileName(d))); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        l.Sort(StringComparer.Ordinal); // runc prints the hugetlb map with Go's sorted keys
        return l;
    }
}
