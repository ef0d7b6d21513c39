using System.Runtime.InteropServices;
using NRunc.Container;
using NRunc.Container.Rootfs;

// RootfsDriver [--no-pivot] [--userns] [--netns] [--cgroupns] [--terminal] [--stage prepare|pivot|all]
//              CONFIG ROOTFS [-- CMD ARGS...]
// Exit status: 0 after exec succeeds (the command's status), 2 with "rootfs error: ..." on stderr.
var noPivot = false; var userns = false; var netns = false; var cgroupns = false; var terminal = false;
var positional = new List<string>();
string[] cmd = [];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--no-pivot": noPivot = true; break;
        case "--userns": userns = true; break;
        case "--netns": netns = true; break;
        case "--cgroupns": cgroupns = true; break;
        case "--terminal": terminal = true; break;
        case "--": cmd = args[(i + 1)..]; i = args.Length; break;
        default: positional.Add(args[i]); break;
    }
}
if (positional.Count != 2)
{
    Console.Error.WriteLine("usage: RootfsDriver [flags] CONFIG ROOTFS [-- CMD ARGS...]");
    return 64;
}
var spec = NRunc.Spec.ConfigLoader.Parse(File.ReadAllBytes(positional[0]));
var ctx = new RootfsContext
{
    Spec = spec,
    RootfsPath = positional[1],
    BundlePath = Path.GetDirectoryName(Path.GetFullPath(positional[0])),
    NoPivot = noPivot,
    NewUserNamespace = userns,
    NewNetworkNamespace = netns,
    NewCgroupNamespace = cgroupns,
    Terminal = terminal,
};
try
{
    RootfsSetup.Prepare(ctx);
    RootfsSetup.Pivot(ctx);
    RootfsSetup.Finish(ctx);
}
catch (ContainerException e)
{
    Console.Error.WriteLine("rootfs error: " + e.Message);
    return 2;
}
if (cmd.Length == 0) return 0;
Console.Out.Flush();
return Exec.Run(cmd);

static unsafe partial class Exec
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int execve(byte* path, byte** argv, byte** envp);

    public static int Run(string[] cmd)
    {
        var ptrs = new nint[cmd.Length + 1];
        for (var i = 0; i < cmd.Length; i++) ptrs[i] = Marshal.StringToCoTaskMemUTF8(cmd[i]);
        var env = new nint[] { Marshal.StringToCoTaskMemUTF8("PATH=/bin:/sbin:/usr/bin:/usr/sbin"), 0 };
        fixed (nint* a = ptrs)
        fixed (nint* e = env)
            execve((byte*)ptrs[0], (byte**)a, (byte**)e);
        Console.Error.WriteLine($"rootfs error: exec {cmd[0]}: errno {Marshal.GetLastPInvokeError()}");
        return 127;
    }
}
