using System.Globalization;
using NRunc.Native;

namespace NRunc.Shim.Processes;

/// <summary>
/// Keeps the resident shim small. The kernel maps file pages around each fault (fault-around, 64 KiB), so a
/// process that ran a little of a large binary holds most of it. For read-only file mappings the shim asks for
/// random access (single-page faults from now on); those without a private dirty page (code, read-only data: the
/// file holds exactly their content) are also dropped from its page tables, to fault back in only what the
/// serving loop touches. Relocated (copy-on-write) mappings are left alone.
/// </summary>
public static unsafe class MemoryTrim
{
    static readonly Timer Later = new(_ => FileMappings());

    /// <summary>Trims a quarter second after the last call, off the request path (the task service calls it after
    /// each request, so a burst of calls is trimmed once, when the shim goes idle).</summary>
    public static void Soon() => Later.Change(250, Timeout.Infinite);

    public static void FileMappings()
    {
        // Give back the garbage of earlier requests first (the collector's own code is then trimmed too).
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        IEnumerable<string> lines;
        try { lines = File.ReadLines("/proc/self/smaps"); }
        catch (IOException) { return; }
        ulong start = 0, end = 0;
        bool candidate = false, dirty = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmFlags:"))
            {
                // the last line of a mapping's block
                if (candidate)
                {
                    Libc.ShimMadvise((void*)start, (nuint)(end - start), Libc.MADV_RANDOM);
                    if (!dirty) Libc.ShimMadvise((void*)start, (nuint)(end - start), Libc.MADV_DONTNEED);
                }
                candidate = false;
                continue;
            }
            if (line.StartsWith("Private_Dirty:")) { dirty = !line.EndsWith(" 0 kB"); continue; }
            if (line.Length == 0 || !char.IsAsciiHexDigit(line[0]) || line.IndexOf(':') is var colon && colon >= 0 && colon < line.IndexOf(' ')) continue;
            // header: start-end perms offset dev inode path
            var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            var range = f[0].Split('-');
            candidate = f.Length == 6 && range.Length == 2 && f[5].StartsWith('/') && f[1].Length == 4 && f[1][1] != 'w'
                && ulong.TryParse(range[0], NumberStyles.HexNumber, null, out start)
                && ulong.TryParse(range[1], NumberStyles.HexNumber, null, out end);
            dirty = false;
        }
    }
}
