using System.Runtime.InteropServices;
using System.Text;
using NRunc.Seccomp.Native;
using NRunc.Spec;

namespace NRunc.Seccomp;

/// <summary>
/// Compiled BPF programs on disk, one file per distinct <c>linux.seccomp</c> section: <c>DIR/&lt;fnv64&gt;.bpf</c>.
/// The key material is everything the generated program depends on: the section's JSON, the libseccomp version and
/// the process architecture (kernel flags are not part of the program and are probed each time). The file name is
/// only a 64-bit hash of it; the file holds the whole key material, compared byte for byte on a hit, so a hash
/// collision (accidental or crafted) is a miss, never another profile's filter. No cryptographic hash is needed,
/// which keeps OpenSSL (about 10 ms to load) off the create path.
/// File: "NRSECCOMP2\n", u32 key length (LE), the key, the ignored syscall names joined by ',', "\n", the sock_filter array.
/// </summary>
internal static class SeccompCache
{
    static readonly byte[] Magic = "NRSECCOMP2\n"u8.ToArray();
    const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>The key material for <paramref name="spec"/> and the file name derived from it.</summary>
    public static (byte[] Material, string Name) Key(LinuxSeccomp spec)
    {
        var json = SpecWriter.SeccompToUtf8(spec); // the hand-written writer: no serializer metadata to build on create's path
        var prefix = Encoding.UTF8.GetBytes($"nrunc-seccomp-cache\0libseccomp {Libseccomp.Instance.VersionString}\0{RuntimeInformation.ProcessArchitecture}\0");
        byte[] material = [.. prefix, .. json];
        return (material, Fnv1a64(material).ToString("x16"));
    }

    internal static ulong Fnv1a64(ReadOnlySpan<byte> data)
    {
        ulong h = 0xcbf29ce484222325UL;
        foreach (var b in data) h = (h ^ b) * 0x100000001b3UL;
        return h;
    }

    public static bool TryRead(string dir, (byte[] Material, string Name) key, out byte[] bpf, out string[] ignored)
    {
        bpf = [];
        ignored = [];
        var path = Path.Combine(dir, key.Name + ".bpf");
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
            if (rest.Length < 4) return false;
            int keyLen = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(rest);
            rest = rest[4..];
            if (keyLen != key.Material.Length || rest.Length < keyLen || !rest[..keyLen].SequenceEqual(key.Material)) return false;
            rest = rest[keyLen..];
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
    public static void Write(string dir, (byte[] Material, string Name) key, byte[] bpf, IReadOnlyList<string> ignored)
    {
        var path = Path.Combine(dir, key.Name + ".bpf");
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
                Span<byte> len = stackalloc byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)key.Material.Length);
                f.Write(len);
                f.Write(key.Material);
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
