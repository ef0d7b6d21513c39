using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NRunc.Spec;

/// <summary>
/// Reads config.json and other runtime-spec documents. config.json, process and resources go
/// through the hand-written <see cref="SpecReader"/> (no System.Text.Json metadata start-up cost);
/// <see cref="Deserialize"/> uses the source-generated context for everything else.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Reads, parses and validates a bundle's config.json.</summary>
    /// <param name="requireProcess">true for create/run (runc requires `process` there); false to accept any valid spec.</param>
    public static Spec Load(string path, bool requireProcess = true)
    {
        var fileName = System.IO.Path.GetFileName(path);
        if (fileName.Length == 0) fileName = path;
        byte[] data = ReadFile(path, fileName);
        var spec = Parse(data, fileName);
        SpecValidator.Validate(spec, requireProcess, fileName);
        return spec;
    }

    /// <summary>Parses config.json text (no validation). Throws <see cref="SpecException"/>.</summary>
    public static Spec Parse(ReadOnlySpan<byte> utf8, string fileName = "config.json")
        => SpecReader.Parse(utf8, SpecReader.ReadSpec, fileName);

    /// <summary>Parses a `process` object (the file given to `exec --process`); not validated.</summary>
    public static Process ParseProcess(ReadOnlySpan<byte> utf8, string fileName = "process.json")
        => SpecReader.Parse(utf8, SpecReader.ReadProcess, fileName);

    /// <summary>Parses a `linux.resources` object (the input of `update --resources`).</summary>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> utf8, string fileName = "resources.json")
        => SpecReader.Parse(utf8, SpecReader.ReadResources, fileName);

    /// <summary>Parses a `linux.seccomp` object (a seccomp profile file such as Docker's default).</summary>
    public static LinuxSeccomp ParseSeccomp(ReadOnlySpan<byte> utf8, string fileName = "seccomp.json")
        => SpecReader.Parse(utf8, SpecReader.ReadSeccomp, fileName);

    /// <summary>Parses a state document as `nrunc state` prints it.</summary>
    public static ContainerState ParseState(ReadOnlySpan<byte> utf8, string fileName = "state.json")
        => SpecReader.Parse(utf8, SpecReader.ReadState, fileName);

    /// <summary>Parses any runtime-spec document (process.json for exec, resources for update, state.json).</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo, string fileName) where T : class
    {
        T? result;
        try
        {
            result = JsonSerializer.Deserialize(utf8, typeInfo);
        }
        catch (JsonException ex)
        {
            throw JsonErrors.Describe(utf8, typeInfo, ex, fileName);
        }
        if (result is null)
            throw new SpecException(fileName, "", "expected a JSON object, got null");
        return result;
    }

    /// <summary>Reads a whole file, turning I/O errors into runc-style messages.</summary>
    public static byte[] ReadFile(string path, string fileName)
    {
        try
        {
            return ReadToEnd(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SpecException(fileName, "", $"open {path}: no such file or directory", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SpecException(fileName, "", $"open {path}: permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new SpecException(fileName, "", $"read {path}: {ex.Message}", ex);
        }
    }

    // Reads until EOF rather than trusting the size from fstat: File.ReadAllBytes throws EndOfStreamException (whose
    // message is a bare resource key here) when the file is truncated while it is read, as by an editor rewriting it.
    static byte[] ReadToEnd(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        var buf = new byte[Math.Max(4096, f.Length + 1)];
        int n = 0, got;
        while ((got = f.Read(buf, n, buf.Length - n)) > 0)
        {
            n += got;
            if (n == buf.Length) Array.Resize(ref buf, buf.Length * 2);
        }
        return buf.AsSpan(0, n).ToArray();
    }
}
