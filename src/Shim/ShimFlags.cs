namespace NRunc.Shim;

/// <summary>
/// The command line containerd gives a v2 shim, parsed like Go's flag package: `-flag value`, `--flag value`,
/// `-flag=value`, boolean `-debug`; the first non-flag word is the action (start, delete; none = the daemon).
/// </summary>
public sealed class ShimFlags
{
    public string Namespace = "", Id = "", Address = "", PublishBinary = "", Bundle = "", Socket = "", Action = "";
    public bool Debug, Version;

    public static ShimFlags Parse(string[] args)
    {
        var f = new ShimFlags();
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith('-') || a == "-" ) { if (f.Action.Length == 0) f.Action = a; continue; }
            var name = a.TrimStart('-');
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            switch (name)
            {
                case "debug": f.Debug = value is null or "true" or "1"; continue;
                case "v" or "version": f.Version = true; continue;
            }
            if (value == null)
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"flag needs an argument: -{name}");
                value = args[++i];
            }
            switch (name)
            {
                case "namespace": f.Namespace = value; break;
                case "id": f.Id = value; break;
                case "address": f.Address = value; break;
                case "publish-binary": f.PublishBinary = value; break;
                case "bundle": f.Bundle = value; break;
                case "socket": f.Socket = value; break;
                default: throw new ArgumentException($"flag provided but not defined: -{name}");
            }
        }
        return f;
    }
}
