using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NRunc.Seccomp.Native;
using NRunc.Spec;

namespace NRunc.Seccomp;

/// <summary>
/// Compiled BPF programs on disk, one file per distinct <c>linux.seccomp</c> section: <c>DIR/&lt;sha256&gt;.bpf</c>.
/// The key covers the section's JSON, the libseccomp version and the process architecture, i.e. everything the
/// generated program depends on (kernel flags are not part of the program and are probed each time).
/// File: "NRSECCOMP1\n", the ignored syscall names joined by ',' and "\n", then the raw sock_filter array.
/// </summary>
internal static class SeccompCache
{
    static readonly byte[] Magic = "NRSECCOMP1\n"u8.ToArray();
    const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    public static string Key(LinuxSeccomp spec)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(spec, SpecJsonContext.Default.LinuxSeccomp);
        var prefix = Encoding.UTF8.GetBytes($"nrunc-seccomp-cache-v1\0libseccomp {Libseccomp.Instance.VersionString}\0{RuntimeInformation.ProcessArchitecture}\0");
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(prefix);
        h.AppendData(json);
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    public static bool TryRead(string dir, string key, out byte[] bpf, out string[] ignored)
    {
        bpf = [];
        ignored = [];
        var path = Path.Combine(dir, key + ".bpf");
        try
        {
            if (!File.Exists(path)) return false;
            // Only trust a cache nobody but its owner could have written to.
            if ((File.GetUnixFileMode(dir) & GroupOrOtherWrite) != 0 || (File.GetUnixFileMode(path) & GroupOrOtherWrite) != 0)
            {
                SeccompLog.Debug?.Invoke($"seccomp cache {dir} is writable by others, not used");
                return false;
            }
            var data = File.ReadAllBytes(path);
            if (!data.AsSpan().StartsWith(Magic)) return false;
            var rest = data.AsSpan(Magic.Length);
            int nl = rest.IndexOf((byte)'\n');
            if (nl < 0) return false;
            var names = Encoding.UTF8.GetString(rest[..nl]);
            var prog = rest[(nl + 1)..];
            if (prog.Length == 0 || prog.Length % 8 != 0 || prog.Length / 8 > ushort.MaxValue) return false;
            bpf = prog.ToArray();
            ignored = names.Length == 0 ? [] : names.Split(',');
            SeccompLog.Debug?.Invoke($"seccomp filter from cache {path}");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SeccompLog.Debug?.Invoke($"seccomp cache {path}: {e.Message}");
            return false;
        }
    }

    /// <summary>Stores a program (temp file and rename, so readers never see half a file); failures only log.</summary>
    public static void Write(string dir, string key, byte[] bpf, IReadOnlyList<string> ignored)
    {
        var path = Path.Combine(dir, key + ".bpf");
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using (var f = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                f.Write(Magic);
                f.Write(Encoding.UTF8.GetBytes(string.Join(',', ignored)));
                f.WriteByte((byte)'\n');
                f.Write(bpf);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SeccompLog.Debug?.Invoke($"seccomp cache {path}: not written: {e.Message}");
            try { File.Delete(tmp); } catch (Exception) { }
        }
    }
}
