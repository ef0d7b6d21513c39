using System.Text;

namespace NRunc.Cli;

/// <summary>urfave/cli-shaped help texts, generated from the same flag lists the parser uses.</summary>
public static class Help
{
    public static string AppHelp()
    {
        var sb = new StringBuilder(4096);
        sb.Append("NAME:\n   nrunc - Open Container Initiative runtime\n\n");
        sb.Append("""
            nrunc is a command line client for running applications packaged according to
            the Open Container Initiative (OCI) format. It is a drop-in replacement for runc:
            same commands, flags, exit codes, state and log formats.

            Containers are configured using bundles. A bundle for a container is a directory
            that includes a specification file named "config.json" and a root filesystem.
            The root filesystem contains the contents of the container.

            To start a new instance of a container:

                # nrunc run [ -b bundle ] <container-id>

            Where "<container-id>" is your name for the instance of the container that you
            are starting. The name you provide for the container instance must be unique on
            your host. Providing the bundle directory using "-b" is optional. The default
            value for "bundle" is the current directory.


            """);
        sb.Append("USAGE:\n   nrunc [global options] command [command options] [arguments...]\n\n");
        sb.Append("VERSION:\n   ").Append(App.Version).Append("\ncommit: ").Append(BuildInfo.Commit)
          .Append("\nspec: ").Append(App.SpecVersion).Append("\n\n");
        sb.Append("COMMANDS:\n");
        var cmds = new List<(string, string)>();
        foreach (var name in Verbs.Names) cmds.Add((name, Verbs.Find(name)!.Summary));
        cmds.Add(("help, h", "Shows a list of commands or help for one command"));
        int w = 0;
        foreach (var (n, _) in cmds) w = Math.Max(w, n.Length);
        foreach (var (n, s) in cmds) sb.Append("   ").Append(n.PadRight(w + 2)).Append(s).Append('\n');
        sb.Append("\nGLOBAL OPTIONS:\n");
        AppendFlags(sb, App.GlobalFlags());
        return sb.ToString();
    }

    public static string CommandHelp(Command c)
    {
        var sb = new StringBuilder(2048);
        sb.Append("NAME:\n   nrunc ").Append(c.Name).Append(" - ").Append(c.Summary).Append("\n\n");
        sb.Append("USAGE:\n   nrunc ").Append(c.Name);
        if (c.Flags.Length > 0) sb.Append(" [command options]");
        if (c.ArgsUsage.Length > 0) sb.Append(' ').Append(c.ArgsUsage);
        sb.Append('\n');
        if (c.Help is not null) sb.Append('\n').Append(c.Help.TrimEnd()).Append('\n');
        if (c.Flags.Length > 0)
        {
            sb.Append("\nOPTIONS:\n");
            AppendFlags(sb, c.Flags);
        }
        return sb.ToString();
    }

    static void AppendFlags(StringBuilder sb, Flag[] flags)
    {
        int w = 0;
        foreach (var f in flags) w = Math.Max(w, f.HelpName().Length);
        foreach (var f in flags)
        {
            sb.Append("   ").Append(f.HelpName().PadRight(w + 2)).Append(f.Usage);
            if (f.DefaultText is not null) sb.Append(" (default: ").Append(f.DefaultText).Append(')');
            sb.Append('\n');
        }
    }
}
