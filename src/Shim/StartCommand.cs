using System.Net.Sockets;
using System.Text.Json;
using NRunc.Shim.Processes;

namespace NRunc.Shim;

/// <summary>
/// `shim ... start`, run by containerd in the bundle: choose the socket (grouped by the pod's sandbox id when the
/// spec carries one, reusing a live shim of that group), listen on it, write ./address, start the daemon (this
/// binary without an action, the listener as fd 3, its own process group, stdio on /dev/null), print the address.
/// </summary>
public static class StartCommand
{
    static readonly string[] GroupAnnotations = ["io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id"];

    public static int Run(ShimFlags f)
    {
        var bundle = f.Bundle.Length > 0 ? f.Bundle : Directory.GetCurrentDirectory();
        var grouping = GroupOf(Path.Combine(bundle, "config.json")) ?? f.Id;
        var address = SocketAddress.For(f.Address, f.Namespace, grouping);
        var path = SocketAddress.PathOf(address);
        Directory.CreateDirectory(SocketAddress.Root);

        Socket? listener = null;
        for (int attempt = 0; listener == null; attempt++)
        {
            try { listener = Listen(path); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt == 0)
            {
                if (CanConnect(path))
                {
                    // A shim of this group is running: it takes this container too.
                    WriteAddress(bundle, address);
                    Console.Out.Write(address);
                    return 0;
                }
                File.Delete(path); // stale socket of a dead shim
            }
        }
        // Not disposed: .NET unlinks a unix socket's path when the socket that bound it is disposed.
        {
            WriteAddress(bundle, address);
            var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this executable");
            var args = new List<string> { self, "-namespace", f.Namespace, "-id", f.Id, "-address", f.Address };
            if (f.PublishBinary.Length > 0) args.AddRange(["-publish-binary", f.PublishBinary]);
            if (f.Debug) args.Add("-debug");
            int devnull = Pipes.OpenDevNull();
            try
            {
                Spawner.Spawn(args.ToArray(), [devnull, devnull, devnull, (int)listener.Handle], cwd: bundle, newProcessGroup: true);
            }
            catch
            {
                File.Delete(path);
                throw;
            }
            finally { NRunc.Native.Libc.close(devnull); }
        }
        Console.Out.Write(address);
        return 0;
    }

    static Socket Listen(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            s.Listen(128);
            return s;
        }
        catch { s.Dispose(); throw; }
    }

    static bool CanConnect(string path)
    {
        try
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>./address, written atomically (containerd reads it to reconnect after a restart).</summary>
    static void WriteAddress(string bundle, string address)
    {
        var tmp = Path.Combine(bundle, ".address.tmp");
        File.WriteAllText(tmp, address);
        File.Move(tmp, Path.Combine(bundle, "address"), overwrite: true);
    }

    /// <summary>The pod this container belongs to, from the spec's annotations.</summary>
    public static string? GroupOf(string configJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(configJson));
            if (!doc.RootElement.TryGetProperty("annotations", out var ann) || ann.ValueKind != JsonValueKind.Object) return null;
            foreach (var key in GroupAnnotations)
                if (ann.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } g)
                    return g;
        }
        catch (IOException) { }
        catch (JsonException) { }
        return null;
    }
}
