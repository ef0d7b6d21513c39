using Google.Protobuf.WellKnownTypes;
using NRunc.Shim.Protos;
using NRunc.Shim.Ttrpc;

namespace NRunc.Shim.Service;

/// <summary>
/// Which runtime binary the shim drives and how: containerd-shim-runc-v2's options (containerd.runc.v1.Options:
/// BinaryName, Root, SystemdCgroup, NoPivotRoot, NoNewKeyring), or a runtime config file
/// (runtimeoptions.v1.Options from CRI or `ctr run --runtime-config-path`) with the same keys as TOML lines.
/// Saved in the bundle so that `delete` mode, run after the shim died, uses the same runtime and root.
/// </summary>
public sealed record RuntimeOptions(string BinaryName, string Root, bool SystemdCgroup, bool NoPivotRoot, bool NoNewKeyring)
{
    const string FileName = "nrunc-shim-options";

    /// <summary>The default: nrunc next to the shim binary, else nrunc on PATH; root /run/containerd/nrunc/NS.</summary>
    public static RuntimeOptions Default(string ns)
    {
        var beside = Path.Combine(Path.GetDirectoryName(Environment.ProcessPath) ?? "/", "nrunc");
        return new(File.Exists(beside) ? beside : "nrunc", Path.Combine("/run/containerd/nrunc", ns), false, false, false);
    }

    public static RuntimeOptions FromAny(Any? any, string ns)
    {
        var o = Default(ns);
        if (any == null || any.Value.IsEmpty) return o;
        var type = any.TypeUrl[(any.TypeUrl.LastIndexOf('/') + 1)..];
        switch (type)
        {
            case "containerd.runc.v1.Options":
                var r = Options.Parser.ParseFrom(any.Value);
                return o with
                {
                    BinaryName = r.BinaryName.Length > 0 ? r.BinaryName : o.BinaryName,
                    Root = r.Root.Length > 0 ? Path.Combine(r.Root, ns) : o.Root,
                    SystemdCgroup = r.SystemdCgroup, NoPivotRoot = r.NoPivotRoot, NoNewKeyring = r.NoNewKeyring,
                };
            case "runtimeoptions.v1.Options":
                var c = ConfigOptions.Parser.ParseFrom(any.Value);
                string text = c.ConfigBody.Length > 0 ? c.ConfigBody
                    : c.ConfigPath.Length > 0 ? ReadConfig(c.ConfigPath) : "";
                return ApplyToml(o, text, ns);
            default:
                throw new RpcException(Code.InvalidArgument, $"options: unsupported type {any.TypeUrl} (want containerd.runc.v1.Options or runtimeoptions.v1.Options)");
        }
    }

    static string ReadConfig(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) { throw new RpcException(Code.InvalidArgument, $"options.config_path {path}: {e.Message}"); }
    }

    /// <summary>Applies `Key = value` lines (TOML strings and booleans; comments and tables ignored).</summary>
    public static RuntimeOptions ApplyToml(RuntimeOptions o, string text, string ns)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            int eq = line.IndexOf('=');
            if (line.StartsWith('#') || line.StartsWith('[') || eq < 0) continue;
            var key = line[..eq].Trim();
            var val = line[(eq + 1)..].Trim();
            if (val.Length >= 2 && (val[0] == '"' || val[0] == '\'')) val = val[1..val.LastIndexOf(val[0])];
            o = key switch
            {
                "BinaryName" or "binary_name" => o with { BinaryName = val },
                "Root" or "root" => o with { Root = Path.Combine(val, ns) },
                "SystemdCgroup" or "systemd_cgroup" => o with { SystemdCgroup = val == "true" },
                "NoPivotRoot" or "no_pivot_root" => o with { NoPivotRoot = val == "true" },
                "NoNewKeyring" or "no_new_keyring" => o with { NoNewKeyring = val == "true" },
                _ => o,
            };
        }
        return o;
    }

    public void Save(string bundle) => File.WriteAllText(Path.Combine(bundle, FileName),
        $"BinaryName = \"{BinaryName}\"\nRootDir = \"{Root}\"\nSystemdCgroup = {(SystemdCgroup ? "true" : "false")}\n");

    /// <summary>The options saved by Create, or the defaults.</summary>
    public static RuntimeOptions Load(string bundle, string ns)
    {
        var o = Default(ns);
        var f = Path.Combine(bundle, FileName);
        if (!File.Exists(f)) return o;
        foreach (var raw in File.ReadAllLines(f))
        {
            int eq = raw.IndexOf('=');
            if (eq < 0) continue;
            var key = raw[..eq].Trim();
            var val = raw[(eq + 1)..].Trim().Trim('"');
            if (key == "BinaryName") o = o with { BinaryName = val };
            else if (key == "RootDir") o = o with { Root = val };
            else if (key == "SystemdCgroup") o = o with { SystemdCgroup = val == "true" };
        }
        return o;
    }
}
