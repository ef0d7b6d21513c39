using System.Security.Cryptography;
using System.Text;

namespace NRunc.Shim;

/// <summary>
/// Where a shim listens, as containerd 1.6 computes it: unix:///run/containerd/s/ followed by the hex SHA-256 of
/// the cleaned path ADDRESS/NAMESPACE/ID (Go's filepath.Join), whatever containerd's own state directory is.
/// </summary>
public static class SocketAddress
{
    public const string Root = "/run/containerd/s";

    public static string For(string containerdAddress, string ns, string id)
    {
        var joined = CleanPath(containerdAddress + "/" + ns + "/" + id);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(joined));
        return "unix://" + Root + "/" + Convert.ToHexStringLower(hash);
    }

    /// <summary>Go's path.Clean: collapses //, removes . and resolves .. lexically.</summary>
    public static string CleanPath(string p)
    {
        if (p.Length == 0) return ".";
        bool rooted = p[0] == '/';
        var outParts = new List<string>();
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (outParts.Count > 0 && outParts[^1] != "..") outParts.RemoveAt(outParts.Count - 1);
                else if (!rooted) outParts.Add("..");
                continue;
            }
            outParts.Add(part);
        }
        var s = string.Join('/', outParts);
        return rooted ? "/" + s : (s.Length == 0 ? "." : s);
    }

    public static string PathOf(string address) => address.StartsWith("unix://") ? address[7..] : address;
}
