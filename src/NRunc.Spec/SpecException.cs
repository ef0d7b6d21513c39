namespace NRunc.Spec;

/// <summary>
/// A problem with config.json (or another runtime-spec document). The message is complete and
/// printed as is: "config.json: linux.namespaces[2].type: unknown namespace type "pidd" (...)".
/// </summary>
public sealed class SpecException : Exception
{
    public SpecException(string fileName, string jsonPath, string detail, Exception? inner = null)
        : base(Compose(fileName, jsonPath, detail), inner)
    {
        FileName = fileName;
        JsonPath = jsonPath;
        Detail = detail;
    }

    /// <summary>File name as shown in the message (normally "config.json").</summary>
    public string FileName { get; }

    /// <summary>JSON path such as "process.user.uid" or "linux.namespaces[2].type"; empty for the whole document.</summary>
    public string JsonPath { get; }

    /// <summary>The message without the file and path prefix.</summary>
    public string Detail { get; }

    private static string Compose(string fileName, string jsonPath, string detail)
        => jsonPath.Length == 0 ? $"{fileName}: {detail}" : $"{fileName}: {jsonPath}: {detail}";
}
