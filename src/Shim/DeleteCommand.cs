using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NRunc.Shim.Protos;
using NRunc.Shim.Service;

namespace NRunc.Shim;

/// <summary>
/// `shim ... delete`: containerd's clean-up after a shim that died. Force-deletes the container with the runtime
/// and root that Create saved in the bundle, unmounts BUNDLE/rootfs, and prints a DeleteResponse (exit status
/// 137, as for a SIGKILL, like the runc shim).
/// </summary>
public static class DeleteCommand
{
    public static int Run(ShimFlags f)
    {
        var bundle = f.Bundle.Length > 0 ? f.Bundle : Directory.GetCurrentDirectory();
        var opts = RuntimeOptions.Load(bundle, f.Namespace);
        try { new RuntimeCli(opts, bundle).Run("delete", "--force", f.Id); }
        catch (Exception e) { Console.Error.WriteLine($"delete {f.Id}: {e.Message}"); }
        RootfsMounts.Unmount(Path.Combine(bundle, "rootfs"));
        var resp = new DeleteResponse { ExitStatus = 128 + 9, ExitedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        using var stdout = Console.OpenStandardOutput();
        resp.WriteTo(stdout);
        return 0;
    }
}
