namespace NRunc.Container.Lifecycle;

/// <summary>
/// Compiling Docker's default profile with libseccomp takes tens of milliseconds; a compiled filter is cached under the
/// state root (root-only, 0700) keyed by the profile, so create and exec pay for it once.
/// </summary>
internal static class SeccompCache
{
    public static string? Dir(string root)
    {
        var dir = Path.Combine(root, ".seccomp-cache");
        try
        {
            if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
