using NRunc.Native;

namespace NRunc.Container.Process;

/// <summary>
/// Finding the program to exec the way runc does (Go's exec.LookPath in the container's environment):
/// an args[0] with a '/' is used as is; otherwise each directory of the PATH in process.env is tried. runc clears its
/// own environment before the lookup, so with no PATH in process.env nothing is found (there is no default PATH).
/// Relative PATH entries are refused like Go does ("cannot run executable found relative to current directory").
/// </summary>
public static class ExecLookup
{
    /// <summary>The PATH value of <paramref name="env"/> (the last PATH= entry wins, as with successive setenv), or null.</summary>
    public static string? PathOf(IReadOnlyList<string> env)
    {
        string? path = null;
        foreach (var e in env)
            if (e.StartsWith("PATH=", StringComparison.Ordinal)) path = e.Substring(5);
        return path;
    }

    /// <summary>
    /// The paths that exec tries, in order: [args0] when it contains '/', else every absolute PATH directory joined with
    /// args0. Relative PATH entries (and empty ones, which mean ".") are left out: runc refuses what they would find.
    /// </summary>
    public static List<string> Candidates(string args0, IReadOnlyList<string> env)
    {
        if (args0.Contains('/')) return [args0];
        var result = new List<string>();
        var path = PathOf(env);
        if (string.IsNullOrEmpty(path)) return result;
        foreach (var dir in path.Split(':'))
        {
            if (dir.Length == 0 || dir[0] != '/') continue;
            var joined = Join(dir, args0);
            if (!result.Contains(joined)) result.Add(joined);
        }
        return result;
    }

    static string Join(string dir, string name)
    {
        var d = dir.TrimEnd('/');
        return d.Length == 0 ? "/" + name : d + "/" + name;
    }

    /// <summary>runc's text when no candidate could be executed (Go's exec.Error for the lookup).</summary>
    public static string NotFound(string args0) => $"exec: {GoQuote(args0)}: executable file not found in $PATH";

    /// <summary>
    /// The user-facing message for a failed exec of <paramref name="args0"/> with <paramref name="errno"/>, worded as runc
    /// words it: lookup failures as Go's exec.LookPath reports them, other execve errors as "exec PATH: error".
    /// </summary>
    public static string DescribeFailure(string args0, int errno)
    {
        bool direct = args0.Contains('/');
        switch (errno)
        {
            case Errno.ENOENT or Errno.ENOTDIR or Errno.ELOOP or Errno.ENAMETOOLONG:
                return direct ? $"exec: {GoQuote(args0)}: stat {args0}: {Errno.Describe(errno)}" : NotFound(args0);
            case Errno.EACCES:
                return direct ? $"exec: {GoQuote(args0)}: permission denied" : NotFound(args0);
            default:
                return $"exec {args0}: {Errno.Describe(errno)}";
        }
    }

    /// <summary>
    /// Go's exec.LookPath as runc runs it inside the container (after pivot_root): returns the path to exec or throws
    /// <see cref="ContainerException"/> with runc's text, so that a missing program is a `create` error, not a `start` one.
    /// </summary>
    public static unsafe string LookPath(string args0, IReadOnlyList<string> env)
    {
        if (args0.Contains('/'))
        {
            int err = CheckExecutable(args0);
            if (err == 0) return args0;
            if (err == Errno.EACCES) throw new ContainerException($"exec: {GoQuote(args0)}: permission denied");
            throw new ContainerException($"exec: {GoQuote(args0)}: stat {args0}: {Errno.Describe(err)}");
        }
        var path = PathOf(env);
        if (!string.IsNullOrEmpty(path))
        {
            foreach (var entry in path.Split(':'))
            {
                var dir = entry.Length == 0 ? "." : entry;
                var candidate = dir == "." ? "./" + args0 : Join(dir, args0);
                if (CheckExecutable(candidate) != 0) continue;
                if (dir[0] != '/')
                    throw new ContainerException($"exec: {GoQuote(args0)}: cannot run executable found relative to current directory");
                return candidate;
            }
        }
        throw new ContainerException(NotFound(args0));
    }

    /// <summary>0 when <paramref name="path"/> is a non-directory with an exec bit (Go's findExecutable), else an errno.</summary>
    static unsafe int CheckExecutable(string path)
    {
        Libc.Statx st;
        fixed (byte* p = Utf8.Z(path))
        {
            if (Libc.statx(Libc.AT_FDCWD, p, 0, Libc.STATX_TYPE | Libc.STATX_MODE, &st) < 0)
                return System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        }
        if ((st.stx_mode & Libc.S_IFMT) == Libc.S_IFDIR) return Errno.EACCES;
        return (st.stx_mode & 0x49) != 0 ? 0 : Errno.EACCES;
    }

    /// <summary>Go's %q / strconv.Quote for the common case: double quotes, backslash escapes for " and \ and control characters.</summary>
    public static string GoQuote(string s) => NRunc.Container.Diagnostics.GoQuoting.Quote(s);
}
