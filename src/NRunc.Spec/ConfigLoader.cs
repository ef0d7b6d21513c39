using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NRunc.Spec;

/// <summary>
/// Reads config.json. The success path is one source-generated deserialisation plus validation;
/// only on failure is the input scanned again to build a precise message.
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
        => Deserialize(utf8, SpecJsonContext.Default.Spec, fileName);

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
            return File.ReadAllBytes(path);
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
}
