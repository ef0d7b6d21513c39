using NRunc.Native;

namespace NRunc.Container.Rootfs;

/// <summary>An owned file descriptor, closed on Dispose. <see cref="ProcPath"/> names it for fd-based mounts.</summary>
public struct Fd : IDisposable
{
    public int Value;

    public Fd(int value) => Value = value;

    public readonly bool IsValid => Value >= 0;

    /// <summary>/proc/thread-self/fd/N: mount(2) through it acts on the object already opened, not on a path
    /// that the container could swap for a symlink in between (CVE-2021-30465).</summary>
    public readonly string ProcPath => "/proc/thread-self/fd/" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Hands ownership to the caller.</summary>
    public int Release()
    {
        var v = Value;
        Value = -1;
        return v;
    }

    public void Dispose()
    {
        if (Value >= 0) Libc.close(Value);
        Value = -1;
    }
}
