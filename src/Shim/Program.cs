namespace NRunc.Shim;

/// <summary>containerd-shim-nrunc-v2: only -v for now; the ttrpc shim is not implemented yet.</summary>
public static class Program
{
    public const string Name = "containerd-shim-nrunc-v2";
    public const string Version = "0.1.0";

    public static int Main(string[] args)
    {
        foreach (var a in args)
        {
            if (a is "-v" or "--v" or "-version" or "--version")
            {
                // The runc shim's -v shape, which containerd and humans read.
                Console.Out.Write($"{Name}:\n  Version: {Version}\n  Revision: {BuildInfo.Commit}\n  Go version: n/a\n\n");
                return 0;
            }
        }
        Console.Error.Write($"{Name}: not implemented yet\n");
        return 1;
    }
}
