namespace NRunc.Shim;

/// <summary>
/// containerd-shim-nrunc-v2: a containerd runtime v2 shim driving nrunc (or any runc-compatible binary).
/// `-v` prints the version; `start` and `delete` are containerd's one-shot actions; without an action it is the
/// resident daemon that serves containerd.task.v2.Task over ttrpc.
/// </summary>
public static class Program
{
    public const string Name = "containerd-shim-nrunc-v2";
    public const string Version = "0.1.0";

    public static int Main(string[] args)
    {
        ShimFlags f;
        try { f = ShimFlags.Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.Write($"{Name}: {e.Message}\nusage: {Name} -namespace NS -id ID -address ADDR [-publish-binary P] [-bundle B] [-debug] [start|delete]\n");
            return 1;
        }
        if (f.Version)
        {
            // The runc shim's -v shape, which containerd and humans read.
            Console.Out.Write($"{Name}:\n  Version: {Version}\n  Revision: {BuildInfo.Commit}\n  Go version: n/a\n\n");
            return 0;
        }
        if (f.Namespace.Length == 0)
        {
            Console.Error.Write($"{Name}: shim namespace cannot be empty (-namespace)\n");
            return 1;
        }
        try
        {
            return f.Action switch
            {
                "start" => StartCommand.Run(f),
                "delete" => DeleteCommand.Run(f),
                "" => Daemon.Run(f),
                _ => Usage(f.Action),
            };
        }
        catch (Exception e)
        {
            Console.Error.Write($"{Name}: {f.Action}: {e.Message}\n");
            return 1;
        }
    }

    static int Usage(string action)
    {
        Console.Error.Write($"{Name}: unknown action {action} (want start, delete or none)\n");
        return 1;
    }
}
