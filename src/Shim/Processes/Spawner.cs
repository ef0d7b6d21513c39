using System.Runtime.InteropServices;
using NRunc.Native;

namespace NRunc.Shim.Processes;

/// <summary>
/// Starts programs with posix_spawn (vfork + exec in libc: no managed code runs in the child). The child gets the
/// given fds as 0, 1, 2, 3..., every other fd of ours stays behind (all are O_CLOEXEC), default signal dispositions
/// (the .NET runtime ignores SIGPIPE, which would otherwise leak into containers) and an empty signal mask.
/// </summary>
public static unsafe class Spawner
{
    /// <summary>Spawns <paramref name="argv"/>[0] (an absolute path); <paramref name="fds"/>[i] becomes fd i in the
    /// child. Returns the pid. <paramref name="newProcessGroup"/> puts the child in a process group of its own.</summary>
    public static int Spawn(string[] argv, int[] fds, string? cwd = null, IEnumerable<string>? extraEnv = null,
        bool newProcessGroup = false)
    {
        // Move every source fd above the target range first so that no dup2 overwrites a later source, and so that
        // a source already equal to its target still loses O_CLOEXEC through a real dup2.
        var moved = new int[fds.Length];
        for (int i = 0; i < fds.Length; i++)
            moved[i] = NativeException.Check(Libc.fcntl_int(fds[i], Libc.F_DUPFD_CLOEXEC, 64), "fcntl F_DUPFD", argv[0]);
        byte* fa = stackalloc byte[Libc.ShimSpawnActionsSize];
        byte* attr = stackalloc byte[Libc.ShimSpawnAttrSize];
        byte* sigs = stackalloc byte[Libc.ShimSigsetSize];
        var env = BuildEnv(extraEnv);
        var strings = new List<nint>();
        try
        {
            Libc.ShimSpawnActionsInit(fa);
            Libc.ShimSpawnAttrInit(attr);
            for (int i = 0; i < moved.Length; i++) Libc.ShimSpawnActionsDup2(fa, moved[i], i);
            if (cwd != null) Libc.ShimSpawnActionsChdir(fa, Alloc(cwd, strings));
            short flags = Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK;
            if (newProcessGroup) { flags |= Libc.POSIX_SPAWN_SETPGROUP; Libc.ShimSpawnAttrSetPgroup(attr, 0); }
            Libc.ShimSpawnAttrSetFlags(attr, flags);
            Libc.ShimSigFill(sigs);
            Libc.ShimSpawnAttrSetSigdefault(attr, sigs);
            Libc.ShimSigEmpty(sigs);
            Libc.ShimSpawnAttrSetSigmask(attr, sigs);
            byte** av = stackalloc byte*[argv.Length + 1];
            for (int i = 0; i < argv.Length; i++) av[i] = Alloc(argv[i], strings);
            av[argv.Length] = null;
            byte** ev = (byte**)NativeMemory.Alloc((nuint)(env.Count + 1), (nuint)sizeof(nint));
            strings.Add((nint)ev);
            for (int i = 0; i < env.Count; i++) ev[i] = Alloc(env[i], strings);
            ev[env.Count] = null;
            int pid;
            int rc = Libc.ShimPosixSpawn(&pid, av[0], fa, attr, av, ev);
            if (rc != 0) throw new NativeException("posix_spawn", argv[0], rc);
            Reaper.Started();
            return pid;
        }
        finally
        {
            Libc.ShimSpawnActionsDestroy(fa);
            Libc.ShimSpawnAttrDestroy(attr);
            foreach (var p in strings) NativeMemory.Free((void*)p);
            foreach (var fd in moved) Libc.close(fd);
        }
    }

    static List<string> BuildEnv(IEnumerable<string>? extra)
    {
        var env = new List<string>();
        var overridden = new HashSet<string>();
        if (extra != null)
            foreach (var e in extra) { env.Add(e); overridden.Add(e[..Math.Max(0, e.IndexOf('='))]); }
        foreach (System.Collections.DictionaryEntry kv in Environment.GetEnvironmentVariables())
        {
            var k = (string)kv.Key;
            if (!overridden.Contains(k)) env.Add(k + "=" + (string?)kv.Value);
        }
        return env;
    }

    static byte* Alloc(string s, List<nint> owned)
    {
        var z = Utf8.Z(s);
        var p = (byte*)NativeMemory.Alloc((nuint)z.Length);
        z.CopyTo(new Span<byte>(p, z.Length));
        owned.Add((nint)p);
        return p;
    }

    /// <summary>The absolute path of <paramref name="name"/>: itself if it holds a '/', else the first match on PATH.</summary>
    public static string? Resolve(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            if (dir.Length == 0) continue;
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
