using NRunc.Native;
using NRunc.Spec;

namespace NRunc.Container.Operations;

/// <summary>`nrunc spec [--rootless] [--bundle B]`: writes runc's default config.json, never over an existing one.</summary>
public static class SpecOperation
{
    public const string ConfigName = "config.json";

    public static string Write(string? bundle, bool rootless)
    {
        var dir = string.IsNullOrEmpty(bundle) ? "." : bundle;
        if (!Directory.Exists(dir)) throw new ContainerException($"chdir {dir}: no such file or directory");
        var path = Path.Combine(dir, ConfigName);
        if (File.Exists(path) || Directory.Exists(path)) throw new ContainerException($"File {ConfigName} exists. Remove it first");
        var spec = DefaultSpec.Create(rootless, Libc.StateGeteuid(), Libc.StateGetegid());
        var bytes = SpecWriter.ToUtf8(spec);
        // O_EXCL: a config.json that appeared meanwhile is not overwritten either.
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            fs.Write(bytes);
        return path;
    }
}
