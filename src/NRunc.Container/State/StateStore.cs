using System.Text.Json;
using NRunc.Native;

namespace NRunc.Container.State;

/// <summary>
/// The directory tree under --root: ROOT/ID/state.json (a <see cref="ContainerRecord"/>, written atomically),
/// ROOT/ID/lock (flock serialises verbs on one id), plus whatever the lifecycle keeps there (exec.fifo, config.json).
/// </summary>
public sealed class StateStore(string root)
{
    public const string StateFile = "state.json";
    public const string LockFile = "lock";
    public const string ExecFifo = "exec.fifo";

    public string Root { get; } = root;

    /// <summary>runc's rule: <c>^[\w+\-\.]+$</c> and not "." or "..".</summary>
    public static void ValidateId(string id)
    {
        if (!IsValidId(id)) throw new ContainerException($"invalid id format: {id}");
    }

    public static bool IsValidId(string id)
    {
        if (id.Length == 0 || id == "." || id == "..") return false;
        foreach (var c in id)
        {
            // Go's \w is ASCII only: [0-9A-Za-z_].
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '+' or '-' or '.';
            if (!ok) return false;
        }
        return true;
    }

    public string ContainerDir(string id)
    {
        ValidateId(id);
        return Path.Combine(Root, id);
    }

    public bool Exists(string id) => File.Exists(Path.Combine(ContainerDir(id), StateFile));

    /// <summary>Reads ROOT/ID/state.json; an id with no state is <see cref="ContainerNotFoundException"/>.</summary>
    public ContainerRecord Load(string id) => TryLoad(id) ?? throw new ContainerNotFoundException(id);

    /// <summary>Reads ROOT/ID/state.json; null when there is none. A corrupt file is a <see cref="ContainerException"/>.</summary>
    public ContainerRecord? TryLoad(string id)
    {
        var path = Path.Combine(ContainerDir(id), StateFile);
        var bytes = FastIo.ReadAll(path);
        if (bytes is null) return null;
        try
        {
            return StateCodec.Read(bytes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ContainerException($"{path}: corrupt state: {e.Message}", e);
        }
    }

    /// <summary>Writes the record atomically: a temp file in the same directory, fsync, rename over state.json.</summary>
    public void Save(ContainerRecord record)
    {
        var dir = ContainerDir(record.Id);
        var bytes = StateCodec.Write(record);
        WriteAtomic(Path.Combine(dir, StateFile), bytes);
    }

    /// <summary>temp file + fsync + rename, so readers see the old or the new content, never a torn one.</summary>
    public static unsafe void WriteAtomic(string path, ReadOnlySpan<byte> content, uint mode = 0x180 /* 0600 */)
    {
        var tmp = path + ".tmp-" + Environment.ProcessId;
        var ztmp = Utf8.Z(tmp);
        int fd;
        fixed (byte* p = ztmp)
            fd = NativeException.Check(Libc.open(p, StateConst.O_WRONLY | StateConst.O_CREAT | StateConst.O_TRUNC | StateConst.O_CLOEXEC, (int)mode), "open", tmp);
        try
        {
            fixed (byte* b = content)
            {
                nint done = 0;
                while (done < content.Length)
                {
                    var n = Libc.write(fd, b + done, content.Length - done);
                    if (n < 0)
                    {
                        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                        if (errno == Errno.EINTR) continue;
                        throw new NativeException("write", tmp, errno);
                    }
                    done += n;
                }
            }
            NativeException.Check(Libc.StateFsync(fd), "fsync", tmp);
        }
        catch
        {
            Libc.close(fd);
            File.Delete(tmp);
            throw;
        }
        Libc.close(fd);
        fixed (byte* a = ztmp)
        fixed (byte* b = Utf8.Z(path))
        {
            if (Libc.StateRename(a, b) < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                File.Delete(tmp);
                throw new NativeException("rename", path, errno);
            }
        }
    }

    /// <summary>Creates ROOT (0711, if missing) and ROOT/ID exclusively (0711); an existing id is an error.</summary>
    public unsafe string CreateContainerDir(string id)
    {
        var dir = ContainerDir(id);
        EnsureRoot();
        fixed (byte* p = Utf8.Z(dir))
        {
            if (Libc.StateMkdir(p, 0x1c9 /* 0711 */) < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Errno.EEXIST) throw new ContainerException($"container with id exists: {id}");
                throw new NativeException("mkdir", dir, errno);
            }
        }
        return dir;
    }

    unsafe void EnsureRoot()
    {
        fixed (byte* p = Utf8.Z(Root))
        {
            if (Libc.StateMkdir(p, 0x1c9) == 0) return;
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EEXIST) return;
            if (errno != Errno.ENOENT) throw new NativeException("mkdir", Root, errno);
        }
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    /// <summary>
    /// An exclusive flock on ROOT/ID/lock, held until disposed: start, kill, delete, state and the others take it so
    /// operations on one id are serialised. Throws <see cref="ContainerNotFoundException"/> when the container is gone
    /// (also when a delete removed it while this call waited).
    /// </summary>
    public unsafe IDisposable Lock(string id)
    {
        var dir = ContainerDir(id);
        var path = Path.Combine(dir, LockFile);
        int fd;
        fixed (byte* p = Utf8.Z(path))
            fd = Libc.open(p, StateConst.O_RDWR | StateConst.O_CREAT | StateConst.O_CLOEXEC | StateConst.O_NOFOLLOW, 0x180);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT) throw new ContainerNotFoundException(id);
            if (errno is not (Errno.EACCES or Errno.EPERM or Errno.EROFS)) throw new NativeException("open", path, errno);
            // A reader without write access to the state dir (state, list by another user): lock the existing file
            // read-only, or go without a lock when there is none to take.
            fixed (byte* p = Utf8.Z(path))
                fd = Libc.open(p, StateConst.O_RDONLY | StateConst.O_CLOEXEC | StateConst.O_NOFOLLOW, 0);
            if (fd < 0)
            {
                if (!Directory.Exists(dir)) throw new ContainerNotFoundException(id);
                return new FdLock(-1);
            }
        }
        while (Libc.StateFlock(fd, StateConst.LOCK_EX) < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) continue;
            Libc.close(fd);
            throw new NativeException("flock", path, errno);
        }
        // A delete that held the lock may have removed the directory meanwhile: our fd then names an unlinked file.
        if (!File.Exists(path))
        {
            Libc.close(fd);
            throw new ContainerNotFoundException(id);
        }
        return new FdLock(fd);
    }

    sealed class FdLock(int fd) : IDisposable
    {
        int _fd = fd;
        public void Dispose()
        {
            var fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0) Libc.close(fd); // closing the last fd releases the flock
        }
    }

    /// <summary>Removes ROOT/ID and everything in it. A missing directory is not an error.</summary>
    public void Remove(string id)
    {
        var dir = ContainerDir(id);
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Ids of the directories under ROOT that hold a state.json, in directory order.</summary>
    public IEnumerable<string> ListIds()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var id = Path.GetFileName(dir);
            if (!IsValidId(id)) continue;
            if (File.Exists(Path.Combine(dir, StateFile))) yield return id;
        }
    }
}
